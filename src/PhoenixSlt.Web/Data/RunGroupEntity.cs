namespace PhoenixSlt.Web.Data;

/// Runs launched together (table "run_groups"): the seeds of one setting, the points of a sweep, or the two arms of
/// the pre-training ablation. Each member run points to its group (<see cref="RunEntity.GroupId"/>). Times are UTC.
public sealed class RunGroupEntity
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    /// seeds, sweep or ablation (<see cref="Services.Groups.RunGroupKinds"/>).
    public string Kind { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    /// The run spec every member starts from (snake_case JSON, <see cref="PhoenixSlt.Training.Specs.RunSpecJson"/>).
    public string BaseSpecJson { get; set; } = "{}";

    /// What varies between members (seeds, sweep parameters, ablation arms) as JSON
    /// (<see cref="Services.Groups.RunGroupDefinition"/>).
    public string DefinitionJson { get; set; } = "{}";

    /// Free text of the user.
    public string? Notes { get; set; }
}
