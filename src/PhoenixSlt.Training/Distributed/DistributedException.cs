namespace PhoenixSlt.Training.Distributed;

/// A failure of distributed training: a peer that disconnected or hung, a rendezvous that could not be reached,
/// ranks that disagree about a collective, or a backend that cannot run on this machine. The message names the
/// rank and the operation involved and says what to do; every rank of a broken process group fails with one.
public class DistributedException : Exception
{
    public DistributedException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    public DistributedException(string message, int? failedRank, string? operation, Exception? inner = null)
        : base(message, inner)
    {
        FailedRank = failedRank;
        Operation = operation;
    }

    /// The rank that disconnected, timed out or misbehaved, when one is known.
    public int? FailedRank { get; }

    /// The collective or store operation that failed (for example <c>all_reduce</c>, <c>barrier</c>, <c>get</c>).
    public string? Operation { get; }
}
