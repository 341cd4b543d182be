using System.Runtime.InteropServices;
using System.Text.Json;
using PhoenixSlt.Cli.Commands;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Tests;
using static TorchSharp.torch;

namespace PhoenixSlt.Cli.Tests;

/// `phoenix-slt mbart generate` run in-process on the tiny mBART of tests/fixtures/mbart-tiny; expected ids and
/// scores are transformers 4.40.2's generate outputs from expected.safetensors.
public sealed class MBartCommandTests : IDisposable
{
    private static readonly string ModelDir = TestPaths.Fixture("mbart-tiny");

    private static readonly Lazy<Dictionary<string, Tensor>> Expected = new(() =>
    {
        var tensors = SafetensorsFile.Load(TestPaths.Fixture("mbart-tiny", "expected.safetensors"));
        foreach (var t in tensors.Values)
            t.DetachFromDisposeScope();
        return tensors;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _dir = TestPaths.NewTempDir("phoenix-mbart-cli");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Generate_BeamFromInputsEmbedsNpy_PrintsReferenceSequencesAndScores()
    {
        var (embeds, mask) = WriteEmbedsAndMask();

        var result = Generate("--inputs-embeds", embeds, "--mask", mask, "--beams", "5", "--max-new-tokens", "20", "--decoder-start", "1003", "--json");

        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        var (sequences, scores) = Parse(result.Output);
        Assert.Equal(Rows("c_generate_beam_sequences"), sequences);
        float[] expectedScores = Floats("c_generate_beam_sequences_scores");
        Assert.Equal(expectedScores.Length, scores!.Length);
        for (int i = 0; i < scores.Length; i++)
            Assert.Equal(expectedScores[i], scores[i], 1e-4);
    }

    [Fact]
    public void Generate_GreedyFromInputsEmbedsNpy_PrintsReferenceSequencesAndNullScores()
    {
        var (embeds, mask) = WriteEmbedsAndMask();

        var result = Generate("--inputs-embeds", embeds, "--mask", mask, "--beams", "1", "--max-new-tokens", "20", "--decoder-start", "1003", "--json");

        Assert.Equal(0, result.ExitCode);
        var (sequences, scores) = Parse(result.Output);
        Assert.Equal(Rows("c_generate_greedy_sequences"), sequences);
        Assert.Null(scores);
    }

    [Fact]
    public void Generate_InputIdsInt64Npy_PrintsReferenceBeamSequences()
    {
        string ids = Path.Combine(_dir, "ids.npy");
        string mask = Path.Combine(_dir, "mask.npy");
        WriteInt64(ids, Expected.Value["a_input_ids"]);
        WriteInt64(mask, Expected.Value["a_attention_mask"]);

        var result = Generate("--input-ids", ids, "--mask", mask, "--beams", "5", "--max-new-tokens", "20", "--decoder-start", "1003", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Rows("c_generate_beam_from_a_input_ids"), Parse(result.Output).Sequences);
    }

    [Fact]
    public void Generate_TextWithDefaultDecoderStart_TokenizesAndStartsWithLanguageCode()
    {
        // the fixture's source sentences; a_input_ids are their tokenization, and the model names no decoder
        // start token, so generation starts with de_DE as in the reference call
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("mbart-tiny", "expected.json")));
        string[] texts = [.. doc.RootElement.GetProperty("texts").GetProperty("a_src_texts").EnumerateArray().Select(t => t.GetString()!)];

        var result = Generate(["--text", texts[0], "--text", texts[1], "--text", texts[2], "--beams", "5", "--max-new-tokens", "20", "--json"]);

        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Rows("c_generate_beam_from_a_input_ids"), Parse(result.Output).Sequences);
    }

    [Fact]
    public void Generate_TextOutput_PrintsRowScoreIdsAndDecodedText()
    {
        var (embeds, mask) = WriteEmbedsAndMask();

        var result = Generate("--inputs-embeds", embeds, "--mask", mask, "--beams", "5", "--max-new-tokens", "20", "--decoder-start", "1003");

        Assert.Equal(0, result.ExitCode);
        string[] lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        string[] fields = lines[0].Split('\t');
        Assert.Equal("0", fields[0]);
        Assert.Equal(Floats("c_generate_beam_sequences_scores")[0], float.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), 1e-3);
        Assert.Equal(string.Join(' ', Rows("c_generate_beam_sequences")[0]), fields[2]);
        Assert.False(string.IsNullOrWhiteSpace(fields[3]));
    }

    [Fact]
    public void Generate_TwoInputKinds_ExplainsChoice()
    {
        var (embeds, mask) = WriteEmbedsAndMask();

        var result = Generate("--inputs-embeds", embeds, "--input-ids", mask, "--json");

        Assert.Equal(MBartCommand.ExitError, result.ExitCode);
        Assert.Contains("exactly one input", result.Error);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public void Generate_MaskShapeMismatch_NamesMaskFile()
    {
        var (embeds, _) = WriteEmbedsAndMask();
        string mask = Path.Combine(_dir, "short-mask.npy");
        NpyIntegerFile.WriteInt64(mask, [1, 1, 1], 1, 3);

        var result = Generate("--inputs-embeds", embeds, "--mask", mask);

        Assert.Equal(MBartCommand.ExitError, result.ExitCode);
        Assert.Contains(mask, result.Error);
        Assert.Contains("does not match", result.Error);
    }

    [Fact]
    public void Generate_EmbedsOfWrongWidth_SaysExpectedDModel()
    {
        string embeds = Path.Combine(_dir, "narrow.npy");
        NpyFile.WriteFloat32(embeds, new float[2 * 3 * 8], 2, 3, 8);

        var result = Generate("--inputs-embeds", embeds);

        Assert.Equal(MBartCommand.ExitError, result.ExitCode);
        Assert.Contains("d_model = 64", result.Error);
    }

    [Fact]
    public void Generate_MissingModelFolder_SaysWhatToGive()
    {
        var result = CliRunner.Run(MBartCommand.Create(), "mbart", "generate", "--model", Path.Combine(_dir, "nothing"), "--text", "hallo");

        Assert.Equal(MBartCommand.ExitError, result.ExitCode);
        Assert.Contains("config.json", result.Error);
    }

    [Fact]
    public void Generate_UnknownDevice_ListsValidDevices()
    {
        var result = Generate("--text", "hallo", "--device", "tpu");

        Assert.Equal(MBartCommand.ExitError, result.ExitCode);
        Assert.Contains("cpu, cuda or cuda:N", result.Error);
    }

    [Fact]
    public void Generate_TooManyNewTokens_ExplainsPositionLimit()
    {
        var result = Generate("--text", "hallo", "--max-new-tokens", "500");

        Assert.Equal(MBartCommand.ExitError, result.ExitCode);
        Assert.Contains("decoder positions", result.Error);
    }

    private static CliResult Generate(params string[] args) => CliRunner.Run(MBartCommand.Create(), ["mbart", "generate", "--model", ModelDir, .. args]);

    private (string Embeds, string Mask) WriteEmbedsAndMask()
    {
        var embeds = Expected.Value["c_inputs_embeds"];
        string embedsPath = Path.Combine(_dir, "embeds.npy");
        NpyFile.WriteFloat32(embedsPath, MemoryMarshal.Cast<byte, float>(embeds.contiguous().bytes), [.. embeds.shape.Select(d => (int)d)]);
        string maskPath = Path.Combine(_dir, "mask.npy");
        WriteInt64(maskPath, Expected.Value["c_attention_mask"]);
        return (embedsPath, maskPath);
    }

    private static void WriteInt64(string path, Tensor t)
        => NpyIntegerFile.WriteInt64(path, MemoryMarshal.Cast<byte, long>(t.contiguous().bytes), [.. t.shape.Select(d => (int)d)]);

    private static long[][] Rows(string name)
    {
        var t = Expected.Value[name];
        long[] flat = MemoryMarshal.Cast<byte, long>(t.contiguous().bytes).ToArray();
        int width = (int)t.shape[1];
        return [.. Enumerable.Range(0, (int)t.shape[0]).Select(r => flat[(r * width)..((r + 1) * width)])];
    }

    private static float[] Floats(string name) => MemoryMarshal.Cast<byte, float>(Expected.Value[name].contiguous().bytes).ToArray();

    private static (long[][] Sequences, float[]? Scores) Parse(string output)
    {
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        long[][] sequences = [.. root.GetProperty("sequences").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray())];
        var scores = root.GetProperty("scores");
        return (sequences, scores.ValueKind == JsonValueKind.Null ? null : [.. scores.EnumerateArray().Select(v => v.GetSingle())]);
    }
}
