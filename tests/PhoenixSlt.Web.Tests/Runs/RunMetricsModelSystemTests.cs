using PhoenixSlt.Web.Components.Pages.Runs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Runs;

public sealed class RunMetricsModelSystemTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Load_SystemPointsGoToMinuteCurves_SeveralAtOneStep_OthersStayOnSteps()
    {
        var model = new RunMetricsModel();

        model.Load(
        [
            new MetricValue("slt", 5, 0, SystemMetricNames.RssMiB, 100, T0),
            new MetricValue("slt", 5, 0, "loss", 3, T0),
            // the step stands still during a validation; the samples still count, 30 s apart
            new MetricValue("slt", 5, 0, SystemMetricNames.RssMiB, 120, T0.AddSeconds(30)),
            new MetricValue("slt", 5, 0, SystemMetricNames.CpuPercent, 190, T0.AddSeconds(30)),
            new MetricValue("slt", 6, 0, SystemMetricNames.RssMiB, 130, T0.AddSeconds(90)),
        ]);

        Assert.Equal([(0.0, 100.0), (0.5, 120.0), (1.5, 130.0)], model.SystemPoints(SystemMetricNames.RssMiB).Select(p => (p.X, p.Y)));
        Assert.Equal([(0.5, 190.0)], model.CpuSeries()[0].Points.Select(p => (p.X, p.Y)));
        Assert.Single(model.CpuSeries()); // no GPU series on a CPU run
        Assert.Single(model.Points("slt", "loss"));
        Assert.Empty(model.Points("slt", SystemMetricNames.RssMiB));
    }

    [Fact]
    public void Apply_LiveSample_AppendsAfterTheLastPointOnly()
    {
        var model = new RunMetricsModel();
        model.AddSystem(SystemMetricNames.CpuPercent, T0, 50);

        model.Apply(new RunSystemUpdate(1, "slt", 9, T0.AddMinutes(2), new Dictionary<string, double>
        {
            [SystemMetricNames.CpuPercent] = 180, [SystemMetricNames.GpuPercent] = 70, [SystemMetricNames.GpuMemoryMiB] = 2048,
        }));
        bool older = model.AddSystem(SystemMetricNames.CpuPercent, T0.AddMinutes(1), 10);

        Assert.False(older);
        Assert.Equal([(0.0, 50.0), (2.0, 180.0)], model.CpuSeries()[0].Points.Select(p => (p.X, p.Y)));
        Assert.Equal(["CPU %", "GPU %"], model.CpuSeries().Select(s => s.Name));
        Assert.Equal(["resident MiB", "GPU MiB"], model.MemorySeries().Select(s => s.Name));
        Assert.False(model.AddSystem(SystemMetricNames.RssMiB, T0.AddMinutes(3), double.NaN));
    }
}
