namespace PhoenixSlt.Core.Tests.Modules.Squeezeformer;

/// Tests that depend on TorchSharp's global random generator (weight initialisation after manual_seed) run alone,
/// so that no other test draws from that generator in between.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTorchCollection
{
    public const string Name = "Serial TorchSharp global RNG";
}
