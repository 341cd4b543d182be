using PhoenixSlt.Core.Amp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.Squeezeformer;

/// Batch-first multi-head self-attention with a key padding mask: softmax(Q·Kᵀ/√d_head + mask)·V per head, then
/// an output projection (torch.nn.MultiheadAttention is sequence-first only). The additive mask gives padded keys the
/// dtype's lowest finite value, so their weight is exactly 0 and real frames never attend to padding, while a row
/// without any real key still yields finite (uniform) weights instead of NaN. Padded queries produce finite values
/// that callers discard. The product runs in F.scaled_dot_product_attention (attention dropout in training mode).
/// Attention Is All You Need (Vaswani et al., NeurIPS 2017), §3.2.2.
public sealed class MultiHeadSelfAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly AmpLinear q_proj;
    private readonly AmpLinear k_proj;
    private readonly AmpLinear v_proj;
    private readonly AmpLinear out_proj;
    private readonly double attentionDropout;
    private readonly int numHeads;
    private readonly int headDim;

    public MultiHeadSelfAttention(int dModel, int numHeads, double attentionDropout) : base(nameof(MultiHeadSelfAttention))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dModel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numHeads);
        if (dModel % numHeads != 0)
            throw new ArgumentException($"d_model = {dModel} is not divisible by the number of heads {numHeads}", nameof(numHeads));
        ArgumentOutOfRangeException.ThrowIfNegative(attentionDropout);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(attentionDropout, 1.0);
        this.numHeads = numHeads;
        this.attentionDropout = attentionDropout;
        headDim = dModel / numHeads;
        q_proj = new AmpLinear(dModel, dModel);
        k_proj = new AmpLinear(dModel, dModel);
        v_proj = new AmpLinear(dModel, dModel);
        out_proj = new AmpLinear(dModel, dModel);
        RegisterComponents();
    }

    public int NumHeads => numHeads;

    public int HeadDim => headDim;

    // x: (B, T, D), keyMask: (B, T) bool, true on real frames -> (B, T, D)
    public override Tensor forward(Tensor x, Tensor keyMask)
    {
        using var scope = torch.NewDisposeScope();
        long batch = x.shape[0], frames = x.shape[1], width = x.shape[2];
        Tensor q = SplitHeads(q_proj.forward(x), batch, frames);                     // (B, H, T, Dh)
        Tensor k = SplitHeads(k_proj.forward(x), batch, frames);                     // (B, H, T, Dh)
        Tensor v = SplitHeads(v_proj.forward(x), batch, frames);                     // (B, H, T, Dh)

        // (B, T) -> (B, 1, 1, T): 0 on real keys, the lowest finite value on padded keys
        Tensor padded = keyMask.logical_not().view(batch, 1, 1, frames);
        Tensor bias = torch.zeros([batch, 1, 1, frames], dtype: q.dtype, device: q.device)
            .masked_fill(padded, torch.finfo(q.dtype).min);
        // softmax(q·kᵀ / √Dh + bias)·v: (B, H, T, T) weights -> (B, H, T, Dh)
        Tensor context = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: bias, p: training ? attentionDropout : 0.0);
        // (B, H, T, Dh) -> (B, T, H, Dh) -> (B, T, D)
        context = context.transpose(1, 2).reshape(batch, frames, width);
        return out_proj.forward(context).MoveToOuterDisposeScope();
    }

    // (B, T, D) -> (B, T, H, Dh) -> (B, H, T, Dh)
    private Tensor SplitHeads(Tensor x, long batch, long frames)
        => x.view(batch, frames, numHeads, headDim).transpose(1, 2);
}
