namespace PhoenixSlt.Web.Services.Jobs;

/// Per-device slot accounting shared by every process the portal starts on a device (training runs and checkpoint
/// evaluations): at most <see cref="SlotsPerDevice"/> holders per device ("cpu", "cuda:0", …). A holder takes one
/// slot on each of its devices at once, or none; disposing the lease gives them back and tells the
/// <see cref="OnReleased"/> subscribers, so that whoever waits for the device looks at its queue again.
public sealed class DeviceSlots
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _used = new(StringComparer.Ordinal);
    private readonly Notifier<long> _released = new(0);
    private long _releases;

    public DeviceSlots(int slotsPerDevice)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(slotsPerDevice);
        SlotsPerDevice = slotsPerDevice;
    }

    /// Processes allowed at the same time on one device (<see cref="Runs.TrainingOptions.MaxConcurrentRunsPerDevice"/>).
    public int SlotsPerDevice { get; }

    /// Slots of <paramref name="device"/> in use now.
    public int InUse(string device)
    {
        ArgumentNullException.ThrowIfNull(device);
        lock (_gate)
            return _used.GetValueOrDefault(device);
    }

    /// A slot on every one of <paramref name="devices"/>, or null (nothing taken) when one of them is full.
    public IDisposable? TryAcquire(IReadOnlyCollection<string> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        if (devices.Count == 0)
            throw new ArgumentException("A process needs at least one device.", nameof(devices));
        string[] distinct = [.. devices.Distinct(StringComparer.Ordinal)];
        lock (_gate)
        {
            if (distinct.Any(d => _used.GetValueOrDefault(d) >= SlotsPerDevice))
                return null;
            foreach (string device in distinct)
                _used[device] = _used.GetValueOrDefault(device) + 1;
        }
        return new Lease(this, distinct);
    }

    /// Calls <paramref name="callback"/> (on the releasing thread) whenever a lease is given back.
    public IDisposable OnReleased(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return _released.Subscribe(_ => callback());
    }

    private void Release(string[] devices)
    {
        long releases;
        lock (_gate)
        {
            foreach (string device in devices)
            {
                int left = _used[device] - 1;
                if (left == 0)
                    _used.Remove(device);
                else
                    _used[device] = left;
            }
            releases = ++_releases;
        }
        _released.Publish(releases);
    }

    private sealed class Lease(DeviceSlots owner, string[] devices) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                owner.Release(devices);
        }
    }
}
