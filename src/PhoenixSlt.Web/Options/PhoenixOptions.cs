using System.ComponentModel.DataAnnotations;

namespace PhoenixSlt.Web.Options;

/// Section "Phoenix": where the portal finds datasets and checkpoints.
/// Relative paths are resolved against <see cref="BaseDirectory"/> (see <see cref="Services.PhoenixPaths"/>).
public sealed class PhoenixOptions
{
    public const string SectionName = "Phoenix";

    /// Folder holding datasets: each subfolder with an annotations/ folder is one dataset.
    [Required(AllowEmptyStrings = false)]
    public string DataRoot { get; set; } = "data";

    /// Folder holding model checkpoints.
    [Required(AllowEmptyStrings = false)]
    public string CheckpointRoot { get; set; } = "checkpoints";

    /// Dataset (folder name under <see cref="DataRoot"/>) selected by default and created on first start.
    [Required(AllowEmptyStrings = false)]
    [RegularExpression(@"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        ErrorMessage = "Phoenix:DefaultDataset must be a plain folder name (letters, digits, '.', '_', '-').")]
    public string DefaultDataset { get; set; } = "phoenix-synth";

    /// Folder that relative paths are resolved against. Empty: the repository root found above the
    /// content root (the folder holding PhoenixSlt.sln), else the content root itself.
    public string? BaseDirectory { get; set; }
}
