using PhoenixSlt.Core.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PhoenixSlt.Core.Modules.MBart;

/// Same computation as transformers' MBartAttention: q = q_proj(x)·head_dim^-0.5, k/v projections with bias,
/// softmax(q·kᵀ + mask)·v over heads (fused scaled_dot_product_attention), out_proj. Self-attention when <c>keyValueStates</c> is null,
/// cross-attention over <c>keyValueStates</c> otherwise. With a <see cref="KeyValueCache"/>, self-attention appends
/// the new keys/values to the cache and attends over all cached positions; cross-attention computes its
/// keys/values once and reuses them.
public sealed class MBartAttention : nn.Module<Tensor, Tensor?, Tensor?, KeyValueCache?, Tensor>
{
#pragma warning disable IDE1006 // HF state-dict names
    private readonly AmpLinear k_proj;
    private readonly AmpLinear v_proj;
    private readonly AmpLinear q_proj;
    private readonly AmpLinear out_proj;
#pragma warning restore IDE1006

    private readonly long _heads;
    private readonly long _headDim;
    private readonly double _dropout;

    public MBartAttention(long embedDim, long heads, double dropout, double initStd, Device? device = null, ScalarType? dtype = null)
        : base(nameof(MBartAttention))
    {
        if (embedDim % heads != 0)
            throw new ArgumentException($"embed_dim {embedDim} must be divisible by the number of heads {heads}");
        _heads = heads;
        _headDim = embedDim / heads;
        _dropout = dropout;
        k_proj = MBartLayers.Linear(embedDim, embedDim, initStd, device, dtype);
        v_proj = MBartLayers.Linear(embedDim, embedDim, initStd, device, dtype);
        q_proj = MBartLayers.Linear(embedDim, embedDim, initStd, device, dtype);
        out_proj = MBartLayers.Linear(embedDim, embedDim, initStd, device, dtype);
        RegisterComponents();
    }

    /// <paramref name="hiddenStates"/>: (B, T, D) queries (and keys/values for self-attention).
    /// <paramref name="keyValueStates"/>: (B, S, D) encoder output for cross-attention, or null.
    /// <paramref name="attentionMask"/>: additive (B or 1, 1, T, S_total) with 0 (keep) or float min (masked).
    /// Returns (B, T, D).
    public override Tensor forward(Tensor hiddenStates, Tensor? keyValueStates, Tensor? attentionMask, KeyValueCache? cache)
    {
        using var scope = NewDisposeScope();
        long batch = hiddenStates.shape[0], length = hiddenStates.shape[1];
        var query = SplitHeads(q_proj.call(hiddenStates)); // (B,T,D) -> (B,H,T,Dh)

        Tensor key, value; // (B,H,S,Dh)
        if (keyValueStates is null)
        {
            key = SplitHeads(k_proj.call(hiddenStates));
            value = SplitHeads(v_proj.call(hiddenStates));
            if (cache is not null)
            {
                cache.Append(key, value);
                (key, value) = (cache.Key!, cache.Value!); // (B,H,past+T,Dh)
            }
        }
        else if (cache is { IsEmpty: false })
        {
            (key, value) = (cache.Key!, cache.Value!);
        }
        else
        {
            key = SplitHeads(k_proj.call(keyValueStates));
            value = SplitHeads(v_proj.call(keyValueStates));
            cache?.Set(key, value);
        }

        // softmax(q·kᵀ·head_dim^-0.5 + mask)·v: the default scale of scaled_dot_product_attention is head_dim^-0.5,
        // the factor transformers applies to q; masked keys carry float min, so no row becomes NaN. Under autocast q/k/v
        // are low precision and the mask's minimum becomes that type's lowest finite value (not -inf).
        (query, key, value) = (Autocast.ForMatmul(query), Autocast.ForMatmul(key), Autocast.ForMatmul(value));
        var mask = Autocast.AttentionMask(attentionMask, query.dtype);
        var context = F.scaled_dot_product_attention(query, key, value, mask, training ? _dropout : 0); // (B,H,T,Dh)
        context = context.transpose(1, 2).reshape(batch, length, _heads * _headDim); // (B,H,T,Dh) -> (B,T,H,Dh) -> (B,T,D)
        return out_proj.call(context).MoveToOuterDisposeScope();
    }

    private Tensor SplitHeads(Tensor x)
        => x.view(x.shape[0], x.shape[1], _heads, _headDim).transpose(1, 2); // (B,T,D) -> (B,T,H,Dh) -> (B,H,T,Dh)
}
