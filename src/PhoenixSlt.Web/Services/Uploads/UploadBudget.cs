using Microsoft.Extensions.Options;
using PhoenixSlt.Web.Options;

namespace PhoenixSlt.Web.Services.Uploads;

/// The upload bytes the portal holds at once, across concurrent requests (<see cref="UploadOptions.MaxInFlightMb"/>).
/// A request reserves its bytes before reading its body (<see cref="TryAcquire"/>) and gives them back when it ends
/// (disposing the lease); a reservation that would exceed the capacity is refused, never waited for.
public sealed class UploadBudget
{
    private long _inFlight;

    public UploadBudget(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        CapacityBytes = capacityBytes;
    }

    public UploadBudget(IOptions<UploadOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value.MaxInFlightBytes)
    {
    }

    public long CapacityBytes { get; }

    /// Bytes reserved by the leases not yet disposed.
    public long InFlightBytes => Interlocked.Read(ref _inFlight);

    /// A lease of <paramref name="bytes"/>, or null when they do not fit beside the bytes in flight.
    public UploadLease? TryAcquire(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return TryReserve(bytes) ? new UploadLease(this, bytes) : null;
    }

    internal bool TryReserve(long bytes)
    {
        while (true)
        {
            long current = Interlocked.Read(ref _inFlight);
            if (bytes > CapacityBytes - current)
                return false;
            if (Interlocked.CompareExchange(ref _inFlight, current + bytes, current) == current)
                return true;
        }
    }

    internal void Release(long bytes) => Interlocked.Add(ref _inFlight, -bytes);
}

/// Bytes reserved in an <see cref="UploadBudget"/>; disposing gives them back (once).
public sealed class UploadLease : IDisposable
{
    private readonly UploadBudget _budget;
    private long _bytes;
    private volatile bool _disposed;

    internal UploadLease(UploadBudget budget, long bytes)
    {
        _budget = budget;
        _bytes = bytes;
    }

    /// Bytes this lease holds (0 once disposed).
    public long Bytes => Interlocked.Read(ref _bytes);

    /// Grows the lease to <paramref name="totalBytes"/> (e.g. a zip's uncompressed size); false when that does not
    /// fit, and the lease keeps what it had. A total at or below the current size changes nothing.
    public bool TryGrowTo(long totalBytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long more = totalBytes - Bytes;
        if (more <= 0)
            return true;
        if (!_budget.TryReserve(more))
            return false;
        Interlocked.Add(ref _bytes, more);
        return true;
    }

    public void Dispose()
    {
        _disposed = true;
        long bytes = Interlocked.Exchange(ref _bytes, 0);
        if (bytes > 0)
            _budget.Release(bytes);
    }
}
