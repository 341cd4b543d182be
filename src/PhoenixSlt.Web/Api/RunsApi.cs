using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Training;

namespace PhoenixSlt.Web.Api;

/// REST API of training runs and checkpoints (docs/EVENTS.md, "REST API"); described at /openapi/v1.json.
public static class RunsApi
{
    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var runs = endpoints.MapGroup("/api/runs").WithTags("Runs");
        runs.MapPost("/", CreateAsync).Accepts<RunSpec>("application/json").WithName("CreateRun").RequireAuthorization(PortalPolicies.Operator).WithSummary("Queue a new training run (same validation as the New-run form).");
        runs.MapGet("/", ListAsync).WithName("ListRuns").WithSummary("List runs, filtered by status, phase, tag and group.");
        runs.MapGet("/defaults", Defaults).WithName("GetRunDefaults")
            .WithSummary("The settings a new run starts from on ?device= (cpu, cuda, cuda:N): the run spec's defaults, on the CPU with greedy validation and 2 epochs (what the New-run form shows).");
        runs.MapGet("/{id:int}", GetAsync).WithName("GetRun").WithSummary("A run with its settings and latest validation translations.");
        runs.MapPost("/{id:int}/cancel", CancelAsync).WithName("CancelRun").RequireAuthorization(PortalPolicies.Operator).WithSummary("Cancel a queued or running run.");
        runs.MapPost("/{id:int}/resume", ResumeAsync).WithName("ResumeRun").RequireAuthorization(PortalPolicies.Operator).WithSummary("Resume a failed, cancelled or interrupted run from its last checkpoint.");
        runs.MapGet("/{id:int}/metrics", MetricsAsync).WithName("GetRunMetrics").WithSummary("Metric points as JSON, or CSV with ?format=csv.");
        runs.MapGet("/{id:int}/logs", LogsAsync).WithName("GetRunLogs").WithSummary("The last log lines of a run.");
        endpoints.MapGet("/api/checkpoints", CheckpointsAsync).WithTags("Checkpoints").WithName("ListCheckpoints")
            .WithSummary("Checkpoint folders known to the portal, newest first.");
        return endpoints;
    }

    /// The body is a run spec (snake_case JSON, <see cref="RunSpecJson"/>); unknown settings and values of the wrong
    /// kind are reported by field, like the spec's validation.
    public static async Task<Results<Created<RunInfo>, ValidationProblem>> CreateAsync(HttpRequest request, RunService service, CancellationToken cancellationToken)
    {
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
            body = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        var (spec, problems) = RunSpecJson.Read(body);
        if (!problems.IsValid)
            return TypedResults.ValidationProblem(ToApiErrors(problems.Merge(service.Validate(spec))), title: "The run spec is not valid.");
        var result = await service.CreateAsync(spec, cancellationToken).ConfigureAwait(false);
        return result.Run is RunInfo run
            ? TypedResults.Created($"/api/runs/{run.Id}", run)
            : TypedResults.ValidationProblem(ToApiErrors(result.Problems), title: "The run spec is not valid.");
    }

    /// <see cref="RunSpecDefaults.For"/> of <paramref name="device"/> (cpu when omitted).
    public static Ok<RunSpec> Defaults(string? device) => TypedResults.Ok(RunSpecDefaults.For(device));

    public static async Task<Results<Ok<IReadOnlyList<RunInfo>>, ValidationProblem>> ListAsync(RunStore store, string? status, string? phase, string? search,
        RunSortField? sort, bool? descending, int? limit, string? tag, int? group, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        JobStatus? wanted = null;
        if (!string.IsNullOrWhiteSpace(status))
        {
            if (JobStatuses.TryParse(status, out var parsed))
                wanted = parsed;
            else
                errors["status"] = [$"Status '{status}' is not known; use one of {string.Join(", ", Enum.GetValues<JobStatus>().Select(s => s.ToText()))}."];
        }
        if (!string.IsNullOrWhiteSpace(phase) && !TrainingPhaseNames.IsRunKind(phase))
            errors["phase"] = [$"Phase '{phase}' is not known; use one of {string.Join(", ", TrainingPhaseNames.RunKinds)}."];
        if (limit is < 1)
            errors["limit"] = [$"Limit must be at least 1 (got {limit})."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var query = new RunQuery(wanted, string.IsNullOrWhiteSpace(phase) ? null : phase, search, sort ?? RunSortField.Created, descending ?? true, limit,
            string.IsNullOrWhiteSpace(tag) ? null : tag, group);
        return TypedResults.Ok(await store.ListAsync(query, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<Results<Ok<RunDetails>, NotFound<ProblemDetailsText>>> GetAsync(int id, RunStore store, CancellationToken cancellationToken)
    {
        var details = await store.GetDetailsAsync(id, cancellationToken).ConfigureAwait(false);
        return details is null ? TypedResults.NotFound(NotFoundText(id)) : TypedResults.Ok(details);
    }

    public static async Task<Results<Accepted<RunInfo>, NotFound<ProblemDetailsText>, Conflict<ProblemDetailsText>>> CancelAsync(int id, RunService service, CancellationToken cancellationToken)
        => ToResult(id, await service.CancelAsync(id, cancellationToken).ConfigureAwait(false));

    public static async Task<Results<Accepted<RunInfo>, NotFound<ProblemDetailsText>, Conflict<ProblemDetailsText>>> ResumeAsync(int id, RunService service, CancellationToken cancellationToken)
        => ToResult(id, await service.ResumeAsync(id, cancellationToken).ConfigureAwait(false));

    public static async Task<Results<Ok<IReadOnlyList<MetricValue>>, ContentHttpResult, NotFound<ProblemDetailsText>, ValidationProblem>> MetricsAsync(
        int id, RunStore store, string? format, string? name, CancellationToken cancellationToken)
    {
        bool csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
        if (!csv && !string.IsNullOrWhiteSpace(format) && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = [$"Format '{format}' is not known; use json or csv."] });
        if (await store.GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
            return TypedResults.NotFound(NotFoundText(id));
        string[]? names = string.IsNullOrWhiteSpace(name) ? null : name.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var metrics = await store.GetMetricsAsync(id, names, cancellationToken).ConfigureAwait(false);
        return csv ? TypedResults.Text(MetricsCsv.Format(metrics), "text/csv", Encoding.UTF8) : TypedResults.Ok(metrics);
    }

    public static async Task<Results<Ok<IReadOnlyList<RunLogEntry>>, NotFound<ProblemDetailsText>, ValidationProblem>> LogsAsync(
        int id, RunStore store, int? tail, CancellationToken cancellationToken)
    {
        if (tail is < 1 or > 10_000)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tail"] = [$"Tail must be between 1 and 10000 (got {tail})."] });
        if (await store.GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
            return TypedResults.NotFound(NotFoundText(id));
        return TypedResults.Ok(await store.GetLogTailAsync(id, tail ?? 200, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<Ok<IReadOnlyList<CheckpointInfo>>> CheckpointsAsync(RunStore store, int? runId, string? phase, bool? best, string? tag, CancellationToken cancellationToken)
        => TypedResults.Ok(await store.ListCheckpointsAsync(new CheckpointQuery(runId, phase, best ?? false, string.IsNullOrWhiteSpace(tag) ? null : tag), cancellationToken).ConfigureAwait(false));

    /// The spec's problems keyed by its field names (snake_case, as in the request body).
    public static Dictionary<string, string[]> ToApiErrors(SpecProblems problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return problems.Errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
    }

    private static Results<Accepted<RunInfo>, NotFound<ProblemDetailsText>, Conflict<ProblemDetailsText>> ToResult(int id, RunCommandResult result) => result.Outcome switch
    {
        RunCommandOutcome.Done => TypedResults.Accepted($"/api/runs/{id}", result.Run!),
        RunCommandOutcome.NotFound => TypedResults.NotFound(new ProblemDetailsText(result.Message)),
        _ => TypedResults.Conflict(new ProblemDetailsText(result.Message)),
    };

    private static ProblemDetailsText NotFoundText(int id) => new($"Run {id} does not exist.");
}

/// An error message: <c>{"error": "..."}</c>.
public sealed record ProblemDetailsText(string Error);

/// Metric points as CSV: <c>stage,step,epoch,name,value,time</c> (invariant culture, ISO 8601 UTC times).
public static class MetricsCsv
{
    public const string Header = "stage,step,epoch,name,value,time";

    public static string Format(IEnumerable<MetricValue> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var text = new StringBuilder(Header).Append('\n');
        foreach (var m in metrics)
            text.Append(CultureInfo.InvariantCulture, $"{Field(m.Stage)},{m.Step},{m.Epoch},{Field(m.Name)},{m.Value.ToString("R", CultureInfo.InvariantCulture)},{m.Time.ToString("O", CultureInfo.InvariantCulture)}\n");
        return text.ToString();
    }

    private static string Field(string value) => Services.CsvText.Field(value);
}
