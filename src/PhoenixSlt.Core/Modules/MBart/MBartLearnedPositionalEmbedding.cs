using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.MBart;

/// Same computation as transformers' MBartLearnedPositionalEmbedding: a learned table of
/// max_position_embeddings + 2 rows; position p (counted from the start of the sequence, continuing after
/// <c>pastLength</c> cached positions, independent of padding) uses row p + 2.
public sealed class MBartLearnedPositionalEmbedding : nn.Module<Tensor, long, Tensor>
{
#pragma warning disable IDE1006 // HF state-dict name
    private readonly Parameter weight; // (max_positions + 2, D)
#pragma warning restore IDE1006

    public MBartLearnedPositionalEmbedding(long maxPositions, long dim, double initStd, Device? device = null, ScalarType? dtype = null)
        : base(nameof(MBartLearnedPositionalEmbedding))
    {
        MaxPositions = maxPositions;
        weight = new Parameter(empty([maxPositions + MBartConfig.PositionOffset, dim], dtype, device));
        using (no_grad())
            nn.init.normal_(weight, 0, initStd);
        RegisterComponents();
    }

    /// Number of usable positions (the table has two more rows).
    public long MaxPositions { get; }

    public Parameter Weight => weight;

    /// <paramref name="input"/>: (B, L) ids or (B, L, D) embeddings (only L is used).
    /// Returns the position embeddings (1, L, D) for positions pastLength … pastLength + L - 1.
    public override Tensor forward(Tensor input, long pastLength)
    {
        long length = input.shape[1];
        if (pastLength < 0 || pastLength + length > MaxPositions)
            throw new ArgumentOutOfRangeException(nameof(input), $"positions {pastLength}..{pastLength + length - 1} exceed max_position_embeddings {MaxPositions}; use shorter sequences");
        using var scope = NewDisposeScope();
        var rows = arange(pastLength + MBartConfig.PositionOffset, pastLength + MBartConfig.PositionOffset + length, dtype: ScalarType.Int64, device: weight.device); // (L)
        return weight.index_select(0, rows).unsqueeze(0).MoveToOuterDisposeScope(); // (L, D) -> (1, L, D)
    }
}
