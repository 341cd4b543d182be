using System.Diagnostics;

namespace PhoenixSlt.Benchmarks;

/// How busy the machine was while the benchmark ran: busy CPU time of the whole system (/proc/stat, steal excluded)
/// minus this process's CPU time, and the time the hypervisor gave the virtual CPUs to other machines (steal), each
/// as a share of all cores over the wall time. Null when /proc is absent.
public sealed class CpuUsage
{
    private const double TicksPerSecond = 100.0; // USER_HZ on Linux

    private readonly (long Busy, long Steal) _start;
    private readonly TimeSpan _ownCpu;
    private readonly Stopwatch _wall = Stopwatch.StartNew();

    private CpuUsage((long Busy, long Steal) start, TimeSpan ownCpu)
    {
        _start = start;
        _ownCpu = ownCpu;
    }

    public static CpuUsage? Start() => Ticks() is { } ticks ? new CpuUsage(ticks, Process.GetCurrentProcess().TotalProcessorTime) : null;

    /// Shares (0–1) of the machine's CPU capacity used by other processes and stolen by the hypervisor since
    /// <see cref="Start"/>.
    public (double Others, double Steal) Shares()
    {
        var now = Ticks() ?? _start;
        double capacity = _wall.Elapsed.TotalSeconds * Environment.ProcessorCount;
        double busy = (now.Busy - _start.Busy) / TicksPerSecond;
        double own = (Process.GetCurrentProcess().TotalProcessorTime - _ownCpu).TotalSeconds;
        double steal = (now.Steal - _start.Steal) / TicksPerSecond;
        return (Math.Clamp((busy - own) / capacity, 0, 1), Math.Clamp(steal / capacity, 0, 1));
    }

    /// (user + nice + system + irq + softirq, steal) ticks of the "cpu" line of /proc/stat.
    private static (long Busy, long Steal)? Ticks()
    {
        const string Stat = "/proc/stat";
        if (!File.Exists(Stat))
            return null;
        string[] fields = File.ReadLines(Stat).First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => fields.Length > i ? long.Parse(fields[i], System.Globalization.CultureInfo.InvariantCulture) : 0;
        return (Field(1) + Field(2) + Field(3) + Field(6) + Field(7), Field(8));
    }
}
