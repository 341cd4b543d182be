using Microsoft.Extensions.Options;
using PhoenixSlt.Core.Data.Synthetic;
using PhoenixSlt.Web.Options;

namespace PhoenixSlt.Web.Services.Bootstrap;

/// Writes the first-start dataset with <see cref="SyntheticPhoenixGenerator"/>.
public sealed class SyntheticPhoenixWriter(IOptions<FirstStartOptions> options) : ISyntheticDatasetWriter
{
    public void Write(string outputDir, SyntheticDatasetSize size, IProgress<GenerationProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(size);
        ArgumentNullException.ThrowIfNull(progress);
        var synth = new SynthOptions(outputDir, size.Train, size.Dev, size.Test, size.Seed)
        {
            MaxParallelism = FirstStartOptions.EffectiveParallelism(options.Value.MaxParallelism),
        };
        var forward = new CallbackProgress<SynthProgress>(p => progress.Report(new GenerationProgress(p.Split, p.Done, p.Total)));
        SyntheticPhoenixGenerator.Generate(synth, forward, cancellationToken);
    }
}
