using static TorchSharp.torch;

namespace PhoenixSlt.Core.Modules.MBart;

/// Cached keys and values of one attention block, each (B, H, L, Dh). The tensors are owned by the cache
/// (detached from dispose scopes) and disposed when replaced or when the cache is disposed.
public sealed class KeyValueCache : IDisposable
{
    public Tensor? Key { get; private set; }

    public Tensor? Value { get; private set; }

    public bool IsEmpty => Key is null;

    /// Number of cached positions (L).
    public long Length => Key?.shape[2] ?? 0;

    /// Batch rows held (B).
    public long BatchSize => Key?.shape[0] ?? 0;

    /// Appends new positions (B, H, l, Dh) after the cached ones.
    public void Append(Tensor key, Tensor value)
    {
        if (Key is null || Value is null)
        {
            Set(key, value);
            return;
        }
        Replace(cat([Key, key], 2), cat([Value, value], 2)); // (B,H,L,Dh) + (B,H,l,Dh) -> (B,H,L+l,Dh)
    }

    /// Stores keys and values computed once (cross-attention over the encoder output).
    public void Set(Tensor key, Tensor value) => Replace(key.alias(), value.alias());

    /// Row i becomes old row <paramref name="index"/>[i] (index: (N) int64 on the cache's device).
    public void IndexSelect(Tensor index)
    {
        if (Key is null || Value is null)
            return;
        Replace(Key.index_select(0, index), Value.index_select(0, index)); // (B,H,L,Dh) -> (N,H,L,Dh)
    }

    public void Dispose()
    {
        Key?.Dispose();
        Value?.Dispose();
        Key = null;
        Value = null;
    }

    private void Replace(Tensor key, Tensor value)
    {
        Key?.Dispose();
        Value?.Dispose();
        Key = key.DetachFromDisposeScope();
        Value = value.DetachFromDisposeScope();
    }
}
