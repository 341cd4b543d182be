namespace PhoenixSlt.Web.Data;

/// A checkpoint folder (table "checkpoints"), from the event stream or a scan of the checkpoint root.
public sealed class CheckpointEntity
{
    public int Id { get; set; }

    /// Full path of the folder (unique).
    public string Path { get; set; } = "";

    /// text, vlp, slt or mbart (checkpoint.json's phase).
    public string Phase { get; set; } = "";

    /// The run that wrote it, when known.
    public int? RunId { get; set; }

    public long Step { get; set; }

    /// Validation metrics by name, as JSON.
    public string MetricsJson { get; set; } = "{}";

    /// True for a best/ folder (the best validation of its run stage).
    public bool IsBest { get; set; }

    public DateTime CreatedAt { get; set; }

    /// Bytes of the files in the folder.
    public long SizeBytes { get; set; }

    /// Tags as <see cref="Services.Tags.TagList"/> stores them (",a,b,"), "" when none.
    public string Tags { get; set; } = "";

    /// Free text of the user.
    public string? Notes { get; set; }
}
