using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace PhoenixSlt.Web.Security;

/// Pauses sign-in for a user name after repeated failures (guessing passwords costs minutes, not milliseconds).
/// In memory: a restart clears it, which is acceptable for a brute-force brake.
public sealed class SignInThrottle(IOptions<AuthOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);

    /// Seconds until the user name may try again, or 0.
    public int SecondsLocked(string userName)
    {
        if (!_entries.TryGetValue(userName, out var entry) || entry.LockedUntil is not DateTimeOffset until)
            return 0;
        double seconds = (until - clock.GetUtcNow()).TotalSeconds;
        return seconds > 0 ? (int)Math.Ceiling(seconds) : 0;
    }

    public void RecordFailure(string userName)
    {
        var now = clock.GetUtcNow();
        var settings = options.Value;
        _entries.AddOrUpdate(userName,
            _ => Next(new Entry(0, null), now, settings),
            (_, entry) => Next(entry, now, settings));
    }

    public void RecordSuccess(string userName) => _entries.TryRemove(userName, out _);

    private static Entry Next(Entry entry, DateTimeOffset now, AuthOptions settings)
    {
        // A finished lockout starts a new count.
        int failures = entry.LockedUntil is DateTimeOffset until && until <= now ? 1 : entry.Failures + 1;
        return failures >= settings.MaxFailedSignIns
            ? new Entry(0, now.AddSeconds(settings.LockoutSeconds))
            : new Entry(failures, entry.LockedUntil is DateTimeOffset u && u > now ? u : null);
    }

    private sealed record Entry(int Failures, DateTimeOffset? LockedUntil);
}
