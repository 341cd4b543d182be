using PhoenixSlt.Training.Launch;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests;

public sealed class ThreadBudgetTests
{
    [Theory]
    [InlineData(2, 2, 1, 1)]     // the 2-core machine: one slot and the Translate service → 1 thread each
    [InlineData(8, 2, 1, 4)]
    [InlineData(8, 3, 1, 2)]     // 8 / 3 rounds down: never more threads than cores in total
    [InlineData(16, 2, 4, 2)]    // a CPU run of 4 workers shares its job's 8 threads
    [InlineData(1, 4, 1, 1)]     // fewer cores than jobs: at least one thread each
    [InlineData(4, 1, 1, 4)]     // one job alone gets every core
    public void PerProcess_NoExplicitCount_DividesTheCoresOverTheJobsAndTheirProcesses(int cores, int jobs, int processes, int expected)
    {
        int threads = ThreadBudget.PerProcess(cores, jobs, processes);

        Assert.Equal(expected, threads);
        Assert.True(threads * jobs * processes <= Math.Max(cores, jobs * processes), "the shares never add up to more than the cores (or one each)");
    }

    [Theory]
    [InlineData(2, 2, 1, 3)]
    [InlineData(64, 1, 1, 1)]
    public void PerProcess_ExplicitCount_WinsOverTheRule(int cores, int jobs, int processes, int given)
        => Assert.Equal(given, ThreadBudget.PerProcess(cores, jobs, processes, given));

    [Fact]
    public void PerProcess_HugeMachine_IsCappedAtTheLargestAcceptedCount()
        => Assert.Equal(ThreadBudget.MaxThreads, ThreadBudget.PerProcess(int.MaxValue, 1));

    [Theory]
    [InlineData(0, 1, 1, null)]
    [InlineData(4, 0, 1, null)]
    [InlineData(4, 1, 0, null)]
    [InlineData(4, 1, 1, 0)]
    [InlineData(4, 1, 1, ThreadBudget.MaxThreads + 1)]
    public void PerProcess_OutOfRange_ThrowsNamingTheArgument(int cores, int jobs, int processes, int? given)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ThreadBudget.PerProcess(cores, jobs, processes, given));

        Assert.False(string.IsNullOrEmpty(error.ParamName));
    }

    [Fact]
    public void Environment_ThreeThreads_SetsBothCountsAndPassiveWaiting()
    {
        var environment = ThreadBudget.Environment(3);

        Assert.Equal("3", environment["OMP_NUM_THREADS"]);
        Assert.Equal("3", environment["MKL_NUM_THREADS"]);
        Assert.Equal("PASSIVE", environment["OMP_WAIT_POLICY"]);
        Assert.Equal(3, environment.Count);
    }

    [Fact]
    public void WorkerEnvironment_WithThreads_AddsTheBudgetVariablesToTheGpuChoice()
    {
        var environment = WorkerLaunchPlan.Environment(1, threads: 2);

        Assert.Equal("1", environment[WorkerLaunchPlan.CudaVisibleDevices]);
        Assert.Equal("2", environment[ThreadBudget.OmpNumThreads]);
        Assert.Equal(ThreadBudget.PassiveWait, environment[ThreadBudget.OmpWaitPolicy]);
        Assert.False(WorkerLaunchPlan.Environment(null).ContainsKey(ThreadBudget.OmpNumThreads)); // no count: libtorch's default
    }

    [Fact]
    public void Apply_Count_SetsLibtorchsThreadsAndNullLeavesThem()
    {
        int before = get_num_threads();
        int other = before == 1 ? 2 : 1;
        try
        {
            Assert.Equal(other, ThreadBudget.Apply(other));
            Assert.Equal(other, get_num_threads());
            Assert.Equal(other, ThreadBudget.Apply(null));
        }
        finally
        {
            set_num_threads(before);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => ThreadBudget.Apply(0));
    }
}
