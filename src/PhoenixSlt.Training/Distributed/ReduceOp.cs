namespace PhoenixSlt.Training.Distributed;

/// How all-reduce combines the ranks' tensors element-wise.
public enum ReduceOp
{
    /// Sum over ranks.
    Sum,

    /// Sum over ranks divided by the world size (floating-point tensors only).
    Avg,

    /// Maximum over ranks (NaN wins, as in torch.maximum).
    Max,
}
