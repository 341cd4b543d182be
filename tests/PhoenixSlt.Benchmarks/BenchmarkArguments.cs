using System.Globalization;

namespace PhoenixSlt.Benchmarks;

/// Command-line settings of the benchmark.
public sealed record BenchmarkArguments(IReadOnlyList<string> Models, IReadOnlyList<int> Batches, DecodingBenchmarkOptions Options)
{
    /// Null when an argument is unknown or malformed.
    public static BenchmarkArguments? Parse(string[] args)
    {
        IReadOnlyList<string> models = BenchmarkModels.Names;
        IReadOnlyList<int> batches = [1, 8, 32];
        var options = new DecodingBenchmarkOptions();
        for (int i = 0; i < args.Length; i++)
        {
            if (i + 1 >= args.Length)
                return null;
            string value = args[++i];
            switch (args[i - 1])
            {
                case "--models": models = value.Split(','); break;
                case "--batches": batches = [.. value.Split(',').Select(Int)]; break;
                case "--beams": options = options with { Beams = Int(value) }; break;
                case "--max-new-tokens": options = options with { MaxNewTokens = Int(value) }; break;
                case "--source-length": options = options with { SourceLength = Int(value) }; break;
                case "--warmup": options = options with { Warmup = Int(value) }; break;
                case "--repeats": options = options with { Repeats = Int(value) }; break;
                case "--max-others-percent": options = options with { MaxOthersShare = Int(value) / 100.0 }; break;
                default: return null;
            }
        }
        return models.All(BenchmarkModels.Names.Contains) ? new BenchmarkArguments(models, batches, options) : null;
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PhoenixSlt.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"PhoenixSlt.sln not found above {AppContext.BaseDirectory}");
    }

    public static string CpuName()
    {
        const string CpuInfo = "/proc/cpuinfo";
        if (!File.Exists(CpuInfo))
            return "unknown CPU";
        string? line = File.ReadLines(CpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? "unknown CPU" : line[(line.IndexOf(':') + 1)..].Trim();
    }

    /// The 1/5/15-minute load averages (other processes competing for the cores), or "unknown".
    public static string LoadAverage()
    {
        const string LoadAvg = "/proc/loadavg";
        return File.Exists(LoadAvg) ? string.Join(' ', File.ReadAllText(LoadAvg).Split(' ').Take(3)) : "unknown";
    }

    private static int Int(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}
