using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Services.Groups;

namespace PhoenixSlt.Web.Tests.Groups;

public sealed class RunGroupPlanTests
{
    private static readonly RunSpec Base = new() { Phase = TrainingPhaseNames.Pipeline, Data = "d", Epochs = 3, Seed = 42, Init = "/some/vlp" };

    [Fact]
    public void Seeds_CountStartsAtTheSpecsSeed_ListIsKept_NoneIsTheSpecsSeed()
    {
        Assert.Equal([42, 43, 44], RunGroupPlan.Seeds(null, 3, 42).Seeds);
        Assert.Equal([7, 1], RunGroupPlan.Seeds([7, 1], 5, 42).Seeds);
        Assert.Equal([42], RunGroupPlan.Seeds(null, null, 42).Seeds);
        Assert.NotNull(RunGroupPlan.Seeds([1, 1], null, 42).Problem);
        Assert.NotNull(RunGroupPlan.Seeds(null, 0, 42).Problem);
        Assert.NotNull(RunGroupPlan.Seeds(null, 2, int.MaxValue).Problem);
    }

    [Fact]
    public void Members_Seeds_OneSettingWithEachSeed()
    {
        var (members, problems) = RunGroupPlan.Members(RunGroupKinds.Seeds, Base, new RunGroupDefinition { Seeds = [1, 2] });

        Assert.Empty(problems);
        Assert.Equal([("", 1), ("", 2)], members.Select(m => (m.Label, m.Spec.Seed)));
        Assert.All(members, m => Assert.Equal(Base with { Seed = m.Seed }, m.Spec));
    }

    [Fact]
    public void Members_Ablation_ScratchSltAndThePipeline_SameBudget_NoInit()
    {
        var (members, _) = RunGroupPlan.Members(RunGroupKinds.Ablation, Base, new RunGroupDefinition { Seeds = [1, 2] });

        Assert.Equal(4, members.Count);
        Assert.Equal([TrainingPhaseNames.Slt, TrainingPhaseNames.Slt, TrainingPhaseNames.Pipeline, TrainingPhaseNames.Pipeline], members.Select(m => m.Spec.Phase));
        Assert.All(members, m => Assert.Equal((3, (string?)null), (m.Spec.Epochs, m.Spec.Init)));
        Assert.Equal(2, members.Select(m => m.Label).Distinct().Count());
    }

    [Fact]
    public void Members_Sweep_AppliesEachPointsSettingsToACopyOfTheBase()
    {
        var sweep = new SweepDefinition { Parameters = [new SweepParameter { Field = "lr_encoder", Values = ["1e-3", "2e-3"] }] };

        var (members, problems) = RunGroupPlan.Members(RunGroupKinds.Sweep, Base, new RunGroupDefinition { Seeds = [5], Sweep = sweep });

        Assert.Empty(problems);
        Assert.Equal([1e-3, 2e-3], members.Select(m => m.Spec.LrEncoder!.Value));
        Assert.Equal(["lr_encoder=1e-3", "lr_encoder=2e-3"], members.Select(m => m.Label));
        Assert.Null(Base.LrEncoder); // the base spec is not changed
    }

    [Fact]
    public void Members_MoreRunsThanTheLimit_OrUnknownKind_AreRefused()
    {
        var sweep = new SweepDefinition { Parameters = [new SweepParameter { Field = "batch_size", Values = ["1", "2", "3", "4", "5", "6", "7", "8", "9"] }] };
        var seeds = Enumerable.Range(1, 8).ToList();

        var (members, problems) = RunGroupPlan.Members(RunGroupKinds.Sweep, Base, new RunGroupDefinition { Seeds = seeds, Sweep = sweep });

        Assert.Empty(members);
        Assert.Contains("72 runs", Assert.Single(problems), StringComparison.Ordinal);
        Assert.NotEmpty(RunGroupPlan.Members("bogus", Base, new RunGroupDefinition { Seeds = [1] }).Problems);
    }

    [Fact]
    public void RunName_KeepsTheSeedVisibleWithinTheNameLimit()
    {
        var member = new RunGroupMember("lr_encoder=1e-3", 12, Base);

        Assert.Equal("g · lr_encoder=1e-3 · seed 12", RunGroupPlan.RunName("g", member));
        string longName = RunGroupPlan.RunName(new string('x', 300), member);
        Assert.Equal(RunGroupPlan.MaxNameLength, longName.Length);
        Assert.EndsWith("… · seed 12", longName, StringComparison.Ordinal);
    }
}
