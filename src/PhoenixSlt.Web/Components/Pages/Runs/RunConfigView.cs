using System.Globalization;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Components.Pages.Runs;

/// One row of the settings table of a run.
public sealed record ConfigRow(string Label, string Option, string Value);

/// The settings of a run as the Run detail page lists them: every <see cref="RunRequest"/> value with the
/// `phoenix-slt train` option it maps to; values left empty show what the CLI uses instead.
public static class RunConfigView
{
    public static IReadOnlyList<ConfigRow> Rows(RunRequest config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return
        [
            new("Phase", "", RunPhases.Describe(config.Phase)),
            new("Dataset", "--data", config.Dataset),
            new("Preset", "--preset", config.Preset),
            new("Epochs", "--epochs", Or(config.Epochs, "no epoch limit")),
            new("Max steps", "--max-steps", Or(config.MaxSteps, "no step limit")),
            new("Batch size", "--batch-size", Text(config.BatchSize)),
            new("Accumulate", "--accumulate", Text(config.Accumulate)),
            new("Learning rate (encoder)", "--lr-encoder", Or(config.LrEncoder, "default (1e-4)")),
            new("Learning rate (decoder)", "--lr-decoder", Or(config.LrDecoder, "default (5e-6 with pretrained mBART, else the encoder's)")),
            new("Patience", "--patience", Or(config.Patience, "never stop early")),
            new("Max frames", "--max-frames", Or(config.MaxFrames, "the mBART encoder's positions")),
            new("AMP", "--amp", config.Amp),
            new("Device", "--device", config.Device),
            new("World size", "--world-size", Text(config.WorldSize)),
            new("Loader workers", "--loader-workers", Or(config.LoaderWorkers, "default (min(2, cores - 1))")),
            new("Seed", "--seed", Text(config.Seed)),
            new("Eval every", "--eval-every", Or(config.EvalEvery, "every epoch")),
            new("Save every", "--save-every", Or(config.SaveEvery, "at each validation")),
            new("Log every", "--log-every", Text(config.LogEvery)),
            new("Beams", "--beams", Text(config.Beams)),
            new("Init checkpoint", "--init", Or(config.InitCheckpoint, "none")),
            new("mBART folder", "--mbart", Or(config.MBartFolder, "none (mBART from scratch)")),
        ];
    }

    private static string Text<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    private static string Or<T>(T? value, string fallback) where T : struct, IFormattable
        => value is T v ? Text(v) : fallback;

    private static string Or(string? value, string fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;
}
