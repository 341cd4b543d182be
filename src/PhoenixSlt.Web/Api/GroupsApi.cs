using Microsoft.AspNetCore.Http.HttpResults;
using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Services.Groups;

namespace PhoenixSlt.Web.Api;

/// REST API of run groups: seeds of one setting, sweeps and the pre-training ablation (docs/EVENTS.md, "REST API").
public static class GroupsApi
{
    public static IEndpointRouteBuilder MapGroupsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var groups = endpoints.MapGroup("/api/groups").WithTags("Groups");
        groups.MapPost("/", CreateAsync).WithName("CreateGroup").RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Queue a group of runs: kind seeds (one spec, N seeds), sweep (grid or random search over settings, each point with the seeds) or ablation (slt from scratch vs the pipeline at equal slt budget, each with the seeds).");
        groups.MapGet("/", ListAsync).WithName("ListGroups").WithSummary("Run groups, newest first, with their runs and mean ± sd per setting.");
        groups.MapGet("/compare", CompareAsync).WithName("CompareGroups")
            .WithSummary("Groups side by side (?ids=1,2): the base settings that differ and, per setting of each group, the mean ± sd of every best-checkpoint metric with the best marked.");
        groups.MapGet("/{id:int}", GetAsync).WithName("GetGroup").WithSummary("A group: its definition, runs and mean ± sd of each best-checkpoint metric per setting (best BLEU-4 first).");
        groups.MapPost("/{id:int}/cancel", CancelAsync).WithName("CancelGroup").RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Cancel every queued or running run of the group.");
        return endpoints;
    }

    public static async Task<Results<Created<RunGroupInfo>, ValidationProblem>> CreateAsync(RunGroupRequest request, RunGroupService service, CancellationToken cancellationToken)
    {
        var result = await service.CreateAsync(request, cancellationToken).ConfigureAwait(false);
        return result.Group is RunGroupInfo group
            ? TypedResults.Created($"/api/groups/{group.Id}", group)
            : TypedResults.ValidationProblem(result.Problems, title: "The group cannot be queued.");
    }

    public static async Task<Results<Ok<IReadOnlyList<RunGroupInfo>>, ValidationProblem>> ListAsync(RunGroupService service, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"Limit must be at least 1 (got {limit})."] });
        return TypedResults.Ok(await service.ListAsync(limit, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<Results<Ok<RunGroupInfo>, NotFound<ProblemDetailsText>>> GetAsync(int id, RunGroupService service, CancellationToken cancellationToken)
        => await service.GetAsync(id, cancellationToken).ConfigureAwait(false) is RunGroupInfo group
            ? TypedResults.Ok(group) : TypedResults.NotFound(NotFound(id));

    /// The ids of the runs asked to stop.
    public static async Task<Results<Accepted<IReadOnlyList<int>>, NotFound<ProblemDetailsText>>> CancelAsync(int id, RunGroupService service, CancellationToken cancellationToken)
        => await service.CancelAsync(id, cancellationToken).ConfigureAwait(false) is IReadOnlyList<int> stopped
            ? TypedResults.Accepted($"/api/groups/{id}", stopped) : TypedResults.NotFound(NotFound(id));

    public static async Task<Results<Ok<GroupComparison>, NotFound<ProblemDetailsText>, ValidationProblem>> CompareAsync(string? ids, RunGroupService service, CancellationToken cancellationToken)
    {
        var (comparison, problem, notFound) = await GroupComparison.LoadAsync(service, ids, cancellationToken).ConfigureAwait(false);
        if (comparison is not null)
            return TypedResults.Ok(comparison);
        return notFound ? TypedResults.NotFound(new ProblemDetailsText(problem!))
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ids"] = [problem!] });
    }

    private static ProblemDetailsText NotFound(int id) => new($"Group {id} does not exist.");
}
