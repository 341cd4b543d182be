using System.Text.Json;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PhoenixSlt.Tests;
using PhoenixSlt.Training;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Tests.Services;

namespace PhoenixSlt.Web.Tests.Components.Runs;

/// bUnit context with the portal's real run services (and, on request, evaluation services) (RunStore, RunService, RunNotifier, the training supervisor,
/// which is never started here) over a real Sqlite file in a temporary data root holding one small dataset.
public abstract class RunsTestContext : PortalTestContext, IDisposable
{
    public const string DatasetName = "handmade";

    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <param name="withEvaluation">Also registers the evaluation services (Checkpoints and Compare pages).</param>
    /// <param name="time">The clock of the services and pages (default: the system's).</param>
    protected RunsTestContext(bool withEvaluation = false, TimeProvider? time = null)
    {
        if (time is not null)
            Services.AddSingleton(time);
        Root = TestPaths.NewTempDir("phoenix-runs-page");
        DataRoot = Path.Combine(Root, "data");
        HandmadeDataset.CreateComplete(Path.Combine(DataRoot, DatasetName));
        Services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        AddDataServices(DataRoot, DatasetName);
        Services.AddPhoenixDatabase();
        Services.AddPhoenixTraining();
        if (withEvaluation)
            Services.AddPhoenixEvaluation();
        using PhoenixDbContext db = Contexts.CreateDbContext();
        PhoenixDatabase.InitializeAsync(db).GetAwaiter().GetResult();
    }

    protected string Root { get; }

    protected string DataRoot { get; }

    protected IDbContextFactory<PhoenixDbContext> Contexts => Services.GetRequiredService<IDbContextFactory<PhoenixDbContext>>();

    protected RunNotifier Notifier => Services.GetRequiredService<RunNotifier>();

    protected RunStore Store => Services.GetRequiredService<RunStore>();

    void IDisposable.Dispose()
    {
        // Sqlite keeps pooled connections to the file open; release them so the folder can go.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
    }

    /// Renders the popover provider (menus, selects), then <typeparamref name="TComponent"/> with parameters.
    protected IRenderedComponent<TComponent> RenderWithPopovers<TComponent>(Action<ComponentParameterCollectionBuilder<TComponent>> parameters)
        where TComponent : Microsoft.AspNetCore.Components.IComponent
    {
        Render<MudBlazor.MudPopoverProvider>();
        return Render(parameters);
    }

    /// Stores <paramref name="run"/> with its metric points, log lines and checkpoints; returns its id.
    protected int Save(RunEntity run, IEnumerable<MetricPoint>? metrics = null, IEnumerable<RunLogLine>? log = null,
        IEnumerable<CheckpointEntity>? checkpoints = null)
    {
        using PhoenixDbContext db = Contexts.CreateDbContext();
        db.Runs.Add(run);
        db.SaveChanges();
        foreach (MetricPoint point in metrics ?? [])
        {
            point.RunId = run.Id;
            db.MetricPoints.Add(point);
        }
        foreach (RunLogLine line in log ?? [])
        {
            line.RunId = run.Id;
            db.RunLogLines.Add(line);
        }
        foreach (CheckpointEntity checkpoint in checkpoints ?? [])
        {
            checkpoint.RunId = run.Id;
            db.Checkpoints.Add(checkpoint);
        }
        db.SaveChanges();
        return run.Id;
    }

    /// A stored run of <paramref name="spec"/>, whose data is the dataset name (the form's and the API's meaning):
    /// the row keeps the name, the stored spec is resolved as <see cref="RunService.CreateAsync"/> stores it (data the
    /// dataset folder, out the run's out folder).
    protected static RunEntity NewRun(RunSpec spec, JobStatus status, DateTime createdAt)
    {
        string dataset = spec.Data ?? DatasetName;
        const string outputFolder = "/runs/out";
        return new RunEntity
        {
            Name = spec.DisplayName(dataset),
            Phase = spec.Phase,
            Stage = TrainingPhaseNames.StagesOf(spec.Phase)[0],
            ConfigJson = RunSpecJson.Write(spec with { Data = $"/data/{dataset}", Out = PipelinePlan.RunOut(outputFolder, spec.Phase) }),
            Status = status,
            Dataset = dataset,
            CreatedAt = createdAt,
            Device = spec.Device,
            WorldSize = spec.WorldSize,
            OutputFolder = outputFolder,
        };
    }

    protected static MetricPoint Point(string stage, long step, string name, double value) => new()
    {
        Stage = stage,
        Step = step,
        Name = name,
        Value = value,
        Time = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc).AddSeconds(step),
    };

    /// A live progress event as the supervisor publishes it (typed, with its JSON line).
    protected static RunEventUpdate EventUpdate(int runId, string stage, ProgressEvent progress)
    {
        using JsonDocument json = JsonDocument.Parse(ProgressEventJson.Serialize(progress));
        return new RunEventUpdate(runId, stage, progress, json.RootElement.Clone());
    }
}
