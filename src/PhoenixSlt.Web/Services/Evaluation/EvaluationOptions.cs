using System.ComponentModel.DataAnnotations;

namespace PhoenixSlt.Web.Services.Evaluation;

/// Section "Phoenix:Evaluation": how `phoenix-slt evaluate` runs (the program, dotnet host and environment come
/// from Phoenix:Training).
public sealed class EvaluationOptions
{
    public const string SectionName = "Phoenix:Evaluation";

    /// cpu, cuda or cuda:N.
    [Required]
    public string Device { get; set; } = "cpu";

    /// Clips decoded together.
    [Range(1, 512)]
    public int BatchSize { get; set; } = 16;

    /// Lines of standard error kept for the message of a failed evaluation.
    [Range(1, 1000)]
    public int StderrTailLines { get; set; } = 20;
}
