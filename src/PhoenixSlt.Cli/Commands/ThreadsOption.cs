using System.CommandLine;
using PhoenixSlt.Training;

namespace PhoenixSlt.Cli.Commands;

/// <c>--threads N</c> of the commands that run a model outside the run spec (<c>evaluate</c>, <c>translate</c>);
/// <c>train</c> and <c>worker</c> have the run spec's <c>threads</c> field.
public static class ThreadsOption
{
    public const string Name = "--threads";

    public static Option<int?> Create()
    {
        var option = new Option<int?>(Name)
        {
            Description = $"libtorch intra-op CPU threads of this process, 1..{ThreadBudget.MaxThreads} (default: OMP_NUM_THREADS, else the cores). Give each process its share of the cores when several run at once.",
            HelpName = "N",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is int n && n is < 1 or > ThreadBudget.MaxThreads)
                result.AddError($"{Name} must be between 1 and {ThreadBudget.MaxThreads}, got {n}");
        });
        return option;
    }
}
