using System.Globalization;
using static TorchSharp.torch;

namespace PhoenixSlt.Training;

/// CPU threads of the processes that share one machine (training stages, workers, evaluations, the portal's
/// translation service). libtorch starts as many intra-op threads as there are cores in every process; two such
/// processes on the same cores take turns with spinning OpenMP threads and each runs several times slower than
/// with its share. The rule: the cores are divided over the jobs that run at once (and over the processes of one
/// job), at least one thread each, unless a thread count is given explicitly. OpenMP threads wait passively
/// (<see cref="OmpWaitPolicy"/>), so an idle pool gives its cores back at once.
public static class ThreadBudget
{
    public const string OmpNumThreads = "OMP_NUM_THREADS";
    public const string MklNumThreads = "MKL_NUM_THREADS";
    public const string OmpWaitPolicy = "OMP_WAIT_POLICY";
    public const string PassiveWait = "PASSIVE";

    /// The largest thread count accepted anywhere (settings, --threads).
    public const int MaxThreads = 1024;

    /// Intra-op threads of one process: <paramref name="explicitThreads"/> when given, else
    /// ⌊<paramref name="cores"/> / (<paramref name="concurrentJobs"/> × <paramref name="processesPerJob"/>)⌋, at least 1.
    public static int PerProcess(int cores, int concurrentJobs, int processesPerJob = 1, int? explicitThreads = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cores);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(concurrentJobs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(processesPerJob);
        if (explicitThreads is int given)
        {
            if (given is < 1 or > MaxThreads)
                throw new ArgumentOutOfRangeException(nameof(explicitThreads), given, $"a thread count must be between 1 and {MaxThreads}");
            return given;
        }
        long share = cores / ((long)concurrentJobs * processesPerJob);
        return (int)Math.Clamp(share, 1, MaxThreads);
    }

    /// The environment of a process started with <paramref name="threads"/> intra-op threads: OMP_NUM_THREADS and
    /// MKL_NUM_THREADS = threads, OMP_WAIT_POLICY = PASSIVE (read by OpenMP when libtorch is loaded, so it must be
    /// in the environment the process starts with).
    public static IReadOnlyDictionary<string, string> Environment(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        string text = threads.ToString(CultureInfo.InvariantCulture);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [OmpNumThreads] = text,
            [MklNumThreads] = text,
            [OmpWaitPolicy] = PassiveWait,
        };
    }

    /// Sets libtorch's intra-op threads to <paramref name="threads"/> (nothing when null: libtorch's default,
    /// OMP_NUM_THREADS or the cores) and returns the count libtorch uses now on the calling thread. With OpenMP the
    /// count is per thread: it holds for the caller and for threads that run their first parallel operation later
    /// (loader threads), so call it on the thread that runs the model, before its first tensor work.
    public static int Apply(int? threads)
    {
        if (threads is int count)
        {
            if (count is < 1 or > MaxThreads)
                throw new ArgumentOutOfRangeException(nameof(threads), count, $"a thread count must be between 1 and {MaxThreads}");
            set_num_threads(count);
        }
        return get_num_threads();
    }
}
