using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Tests.Modules.MBart;
using static PhoenixSlt.Core.Tests.Modules.MBart.MBartTinyFixture;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PhoenixSlt.Core.Tests.Decoding;

/// Greedy and beam generation of the tiny mBART against transformers 4.40.2's generate
/// (tests/fixtures/mbart-tiny/expected.safetensors, group c).
public class GenerationParityTests
{
    private const int DeDe = 1003;
    private const double GreedyScoreTolerance = 2e-4;
    private const double BeamScoreTolerance = 1e-4;

    /// The fixture folder's generation_config.json (forced EOS 2, pad 1) with the call's arguments.
    private static GenerationConfig FixtureConfig(int beams) => GenerationConfig.Load(Folder, Model) with
    {
        MaxNewTokens = 20,
        DecoderStartTokenId = DeDe,
        NumBeams = beams,
        EarlyStopping = beams > 1 ? EarlyStopping.OnBeamsFinished : EarlyStopping.Heuristic,
        LengthPenalty = 1.0,
    };

    private static GenerationInputs EmbedsInputs => GenerationInputs.FromEmbeds(Expected("c_inputs_embeds"), Expected("c_attention_mask"));

    private static GenerationInputs IdsInputs => GenerationInputs.FromIds(Expected("a_input_ids"), Expected("a_attention_mask"));

    [Fact]
    public void Generate_GreedyFromInputsEmbeds_EqualsReferenceSequences()
    {
        using var output = new SequenceGenerator(Model).Generate(EmbedsInputs, FixtureConfig(1));
        using var sequences = output.SequencesTensor();

        TensorAssert.Equal(Expected("c_generate_greedy_sequences"), sequences, "greedy sequences");
    }

    [Fact]
    public void Generate_GreedyWithScores_EqualsReferenceProcessedScores()
    {
        using var scope = NewDisposeScope();

        using var output = new SequenceGenerator(Model).Generate(EmbedsInputs, FixtureConfig(1) with { OutputScores = true });

        var expected = Expected("c_generate_greedy_scores");
        var actual = output.Scores!;
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.isinf().eq(actual.isinf()).all().item<bool>(), "-inf positions differ");
        var finite = expected.isfinite();
        Assert.True(finite.any().item<bool>());
        TensorAssert.Close(expected.masked_select(finite), actual.masked_select(finite), GreedyScoreTolerance, "greedy processed scores");
        Assert.True(actual.isinf().any().item<bool>(), "the forced-EOS step must set -inf");
    }

    [Fact]
    public void Generate_BeamFromInputsEmbeds_EqualsReferenceSequencesAndScores()
    {
        using var output = new SequenceGenerator(Model).Generate(EmbedsInputs, FixtureConfig(5));
        using var sequences = output.SequencesTensor();
        using var scores = tensor(output.SequenceScores!);

        TensorAssert.Equal(Expected("c_generate_beam_sequences"), sequences, "beam sequences");
        TensorAssert.Close(Expected("c_generate_beam_sequences_scores"), scores, BeamScoreTolerance, "beam sequence scores");
    }

    [Fact]
    public void Generate_BeamFromInputIds_EqualsReferenceSequences()
    {
        using var output = new SequenceGenerator(Model).Generate(IdsInputs, FixtureConfig(5));
        using var sequences = output.SequencesTensor();

        TensorAssert.Equal(Expected("c_generate_beam_from_a_input_ids"), sequences, "beam sequences from a_input_ids");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Generate_Batch_EqualsOneByOneOnUnpaddedInputs(int beams)
    {
        using var scope = NewDisposeScope();
        var generator = new SequenceGenerator(Model);
        using var batched = generator.Generate(IdsInputs, FixtureConfig(beams));
        var ids = Expected("a_input_ids");
        var lengths = Expected("a_attention_mask").sum(1).data<long>().ToArray();
        Assert.True(lengths.Distinct().Count() > 1, "the fixture batch must contain padding");

        for (int row = 0; row < lengths.Length; row++)
        {
            var rowIds = ids[row].narrow(0, 0, lengths[row]).unsqueeze(0); // (1, real length)
            using var single = generator.Generate(GenerationInputs.FromIds(rowIds, ones_like(rowIds)), FixtureConfig(beams));

            long[] alone = single.Sequences[0];
            long[] inBatch = batched.Sequences[row];
            Assert.Equal(alone, inBatch[..alone.Length]);
            Assert.All(inBatch[alone.Length..], t => Assert.Equal(Model.PadTokenId, t));
            if (beams > 1)
                Assert.Equal(single.SequenceScores![0], batched.SequenceScores![row], BeamScoreTolerance);
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void Generate_LengthPenalty_ScoreIsTeacherForcedLogProbOverLengthPower(double lengthPenalty)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var config = FixtureConfig(5) with { LengthPenalty = lengthPenalty };
        int maxLength = config.Resolve(Model).MaxLength;

        using var output = new SequenceGenerator(Model).Generate(IdsInputs, config);

        for (int row = 0; row < output.BatchSize; row++)
        {
            long[] sequence = Unpadded(output.Sequences[row]);
            double sum = TeacherForcedLogProb(row, sequence, forcedLast: sequence.Length == maxLength);
            double expected = sum / Math.Pow(sequence.Length - 1, lengthPenalty);
            Assert.Equal(expected, output.SequenceScores![row], BeamScoreTolerance);
        }
    }

    /// Sum of log_softmax(logits) of the generated tokens from a full forward pass over <paramref name="sequence"/>;
    /// a forced EOS at max length contributes 0, as transformers' ForcedEOS processor makes it.
    private static double TeacherForcedLogProb(int row, long[] sequence, bool forcedLast)
    {
        var decoderInputs = tensor(sequence[..^1], [1, sequence.Length - 1]);
        var logits = Model.call(new MBartInputs
        {
            InputIds = Expected("a_input_ids")[row].unsqueeze(0),
            AttentionMask = Expected("a_attention_mask")[row].unsqueeze(0),
            DecoderInputIds = decoderInputs,
        }).Logits; // (1, L-1, V)
        var targets = tensor(sequence[1..], [1, sequence.Length - 1, 1]);
        var logProbs = F.log_softmax(logits.to(ScalarType.Float64), -1).gather(2, targets).squeeze(-1).squeeze(0); // (L-1)
        double[] values = logProbs.data<double>().ToArray();
        if (forcedLast)
            values[^1] = 0;
        return values.Sum();
    }

    /// The sequence up to and including its EOS (or all of it when it reached max length without one).
    private static long[] Unpadded(long[] sequence)
    {
        int eos = Array.IndexOf(sequence, (long)Model.EosTokenId, 1);
        return eos < 0 ? sequence : sequence[..(eos + 1)];
    }
}
