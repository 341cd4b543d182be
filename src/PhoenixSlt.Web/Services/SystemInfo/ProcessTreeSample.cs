using System.Globalization;

namespace PhoenixSlt.Web.Services.SystemInfo;

/// One process as /proc shows it: parent, CPU time used so far (user + system, in clock ticks) and resident memory.
public sealed record ProcStat(int Pid, int ParentPid, long CpuTicks, long RssBytes);

/// CPU time and memory of a process and all its descendants (a run's `phoenix-slt train` and its workers) at one
/// moment; two samples give the CPU use in between.
public sealed record ProcessTreeSample(DateTime Time, long CpuTicks, long RssBytes, int Processes)
{
    /// Clock ticks per second of /proc's times (USER_HZ: 100 on Linux for every architecture .NET runs on).
    public const double TicksPerSecond = 100;

    /// CPU use between <paramref name="earlier"/> and this sample as top shows it: 100 = one core busy. Null when no
    /// time passed or the tree lost CPU time (another process took the pid).
    public double? CpuPercentSince(ProcessTreeSample earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        double seconds = (Time - earlier.Time).TotalSeconds;
        long ticks = CpuTicks - earlier.CpuTicks;
        return seconds <= 0 || ticks < 0 ? null : ticks / TicksPerSecond / seconds * 100;
    }

    /// The sum over <paramref name="root"/> and its descendants in <paramref name="processes"/>; null when the root
    /// is not among them.
    public static ProcessTreeSample? Of(int root, IReadOnlyCollection<ProcStat> processes, DateTime time)
    {
        ArgumentNullException.ThrowIfNull(processes);
        var children = processes.ToLookup(p => p.ParentPid);
        var byPid = processes.ToDictionary(p => p.Pid);
        if (!byPid.TryGetValue(root, out var first))
            return null;
        long ticks = 0, rss = 0;
        int count = 0;
        var pending = new Stack<ProcStat>([first]);
        var seen = new HashSet<int>();
        while (pending.Count > 0)
        {
            var p = pending.Pop();
            if (!seen.Add(p.Pid))
                continue;
            ticks += p.CpuTicks;
            rss += p.RssBytes;
            count++;
            foreach (var child in children[p.Pid])
                pending.Push(child);
        }
        return new ProcessTreeSample(time, ticks, rss, count);
    }

    /// A /proc/&lt;pid&gt;/stat line and the page size → the process, or null when the line cannot be read. The
    /// command name (field 2) is in parentheses and may hold spaces and parentheses: fields are counted after the
    /// last ')'. Field 4 = ppid, 14/15 = utime/stime, 24 = rss in pages.
    public static ProcStat? ParseStat(string line, long pageSize)
    {
        ArgumentNullException.ThrowIfNull(line);
        int open = line.IndexOf('(', StringComparison.Ordinal);
        int close = line.LastIndexOf(')');
        if (open <= 0 || close < open || !int.TryParse(line.AsSpan(0, open).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            return null;
        string[] rest = line[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // rest[0] is field 3 (state): field n is rest[n - 3]
        if (rest.Length < 22
            || !int.TryParse(rest[1], NumberStyles.None, CultureInfo.InvariantCulture, out int ppid)
            || !long.TryParse(rest[11], NumberStyles.None, CultureInfo.InvariantCulture, out long utime)
            || !long.TryParse(rest[12], NumberStyles.None, CultureInfo.InvariantCulture, out long stime)
            || !long.TryParse(rest[21], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long rssPages))
            return null;
        return new ProcStat(pid, ppid, utime + stime, Math.Max(0, rssPages) * pageSize);
    }

    /// Every process of this machine's /proc (none when there is no /proc).
    public static IReadOnlyList<ProcStat> ReadAll(string procRoot = "/proc")
    {
        var list = new List<ProcStat>();
        if (!Directory.Exists(procRoot))
            return list;
        long pageSize = Environment.SystemPageSize;
        foreach (string dir in Directory.EnumerateDirectories(procRoot))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                continue;
            try
            {
                if (ParseStat(File.ReadAllText(Path.Combine(dir, "stat")), pageSize) is ProcStat stat)
                    list.Add(stat);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the process ended while we read
            }
        }
        return list;
    }
}
