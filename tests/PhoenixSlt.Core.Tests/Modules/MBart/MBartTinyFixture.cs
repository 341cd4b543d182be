using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Tests;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules.MBart;

/// The tiny mBART of tests/fixtures/mbart-tiny (loaded once, eval mode, shared read-only by the tests) and the
/// reference tensors of expected.safetensors.
public static class MBartTinyFixture
{
    private static readonly Lazy<(MBartForConditionalGeneration Model, MBartLoadReport Report)> Loaded =
        new(() => MBartPretrained.Load(Folder), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<Dictionary<string, Tensor>> ExpectedTensors =
        new(LoadExpected, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Folder => TestPaths.Fixture("mbart-tiny");

    public static MBartForConditionalGeneration Model => Loaded.Value.Model;

    public static MBartLoadReport Report => Loaded.Value.Report;

    /// A reference tensor by name (do not dispose: shared).
    public static Tensor Expected(string name) => ExpectedTensors.Value[name];

    /// A fresh model loaded from the fixture (for tests that change modes or weights).
    public static MBartForConditionalGeneration LoadFresh() => MBartPretrained.Load(Folder).Model;

    /// Detached from any dispose scope: the first test to touch the fixture may be inside one.
    private static Dictionary<string, Tensor> LoadExpected()
    {
        var tensors = SafetensorsFile.Load(TestPaths.Fixture("mbart-tiny", "expected.safetensors"));
        foreach (var tensor in tensors.Values)
            tensor.DetachFromDisposeScope();
        return tensors;
    }
}
