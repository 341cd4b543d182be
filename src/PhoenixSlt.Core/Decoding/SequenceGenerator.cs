using static TorchSharp.torch;

namespace PhoenixSlt.Core.Decoding;

/// Batched generation for an <see cref="IIncrementalDecoderModel"/> (transformers 4.40 generate semantics for an
/// encoder-decoder model): the encoder runs once; its output and mask are repeated for the beams of each sentence;
/// every step decodes the last tokens of all rows still running with the key/value cache, lets the search strategy
/// (<see cref="GreedySearch"/> or <see cref="BeamSearch"/>) choose the next tokens, then reorders the cache by beam
/// or, when sentences have finished, compacts the cache and encoder state to the rows still running.
/// One dispose scope per step; the model is expected in eval mode (this class switches gradients off).
public sealed class SequenceGenerator
{
    private readonly IIncrementalDecoderModel _model;

    public SequenceGenerator(IIncrementalDecoderModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
    }

    /// Generates one sequence per input. <see cref="InvalidGenerationConfigException"/> when
    /// <paramref name="config"/> does not fit the model.
    public GenerationOutput Generate(GenerationInputs inputs, GenerationConfig config)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(config);
        return Generate(inputs, config.Resolve(_model));
    }

    /// Generates one sequence per input with already resolved settings.
    public GenerationOutput Generate(GenerationInputs inputs, GenerationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(settings);
        using var noGrad = no_grad();
        int batch = inputs.BatchSize;
        using ISearchStrategy search = settings.NumBeams == 1
            ? new GreedySearch(batch, settings)
            : new BeamSearch(batch, settings, _model.Device);
        var (encoderStates, encoderMask) = EncodeAndExpand(inputs, settings, search.RowsPerSentence);
        try
        {
            using var cache = _model.CreateCache();
            var history = TokenHistory.Start(batch * search.RowsPerSentence, settings.DecoderStartTokenId, settings.MaxLength);
            long[] lastTokens = [.. Enumerable.Repeat(settings.DecoderStartTokenId, history.Rows)];
            while (history.Rows > 0 && history.Length < settings.MaxLength)
            {
                using var step = NewDisposeScope();
                var input = tensor(lastTokens, [lastTokens.Length, 1], device: _model.Device); // (N,1)
                var logits = _model.DecodeStep(input, encoderStates, encoderMask, cache).select(1, -1); // (N,1,V) -> (N,V)
                var decision = search.Step(logits, history);
                history = history.Advance(decision.ParentRows, decision.Tokens);
                if (history.Rows == 0 || history.Length >= settings.MaxLength)
                    break;
                if (decision.Dropped)
                {
                    var rows = tensor(decision.ParentRows, [decision.ParentRows.Length], device: _model.Device); // (N')
                    cache.Select(rows);
                    Replace(ref encoderStates, encoderStates.index_select(0, rows)); // (N,S,D) -> (N',S,D)
                    Replace(ref encoderMask, encoderMask.index_select(0, rows)); // (N,S) -> (N',S)
                }
                else if (decision.Reordered)
                {
                    cache.Reorder(tensor(decision.ParentRows, [decision.ParentRows.Length], device: _model.Device)); // (N)
                }
                lastTokens = decision.Tokens;
            }
            return search.Finish(history);
        }
        finally
        {
            encoderStates.Dispose();
            encoderMask.Dispose();
        }
    }

    /// Encoder output (B·R, S, D) and mask (B·R, S), each sentence's rows repeated <paramref name="rows"/> times
    /// (transformers' repeat_interleave expansion); both owned by the caller.
    private (Tensor States, Tensor Mask) EncodeAndExpand(GenerationInputs inputs, GenerationSettings settings, int rows)
    {
        using var scope = NewDisposeScope();
        var device = _model.Device;
        var mask = inputs.MaskOrDefault(settings.PadTokenId, settings.EosTokenIds, device); // (B,S)
        var states = _model.Encode(inputs.InputIds?.to(device), inputs.InputsEmbeds?.to(device), mask); // (B,S,D)
        var expandedStates = states.repeat_interleave(rows, 0); // (B,S,D) -> (B·R,S,D)
        var expandedMask = mask.repeat_interleave(rows, 0); // (B,S) -> (B·R,S)
        return (expandedStates.DetachFromDisposeScope(), expandedMask.DetachFromDisposeScope());
    }

    private static void Replace(ref Tensor field, Tensor value)
    {
        var old = field;
        field = value.DetachFromDisposeScope();
        old.Dispose();
    }
}
