using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Services.Evaluation;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Runs;

/// How the portal turns Phoenix:Training's thread budget into each job's thread count.
public sealed class ThreadBudgetOptionsTests
{
    [Theory]
    [InlineData(2, 1, null, 1)]     // 2 cores, one slot + the Translate service
    [InlineData(8, 1, null, 4)]
    [InlineData(8, 3, null, 2)]     // three slots + translation = 4 jobs
    [InlineData(8, 1, 3, 3)]        // explicit per-job count
    public void ThreadsPerProcess_Budget_CoresOverSlotsPlusTranslation(int cpuThreads, int slots, int? perJob, int expected)
    {
        var options = new TrainingOptions { CpuThreads = cpuThreads, MaxConcurrentRunsPerDevice = slots, ThreadsPerJob = perJob };

        Assert.Equal(expected, options.ThreadsPerProcess());
    }

    [Fact]
    public void ThreadsPerProcess_NoCpuThreadsSetting_UsesTheMachinesCores()
    {
        var options = new TrainingOptions { MaxConcurrentRunsPerDevice = 1 };

        Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2), options.ThreadsPerProcess());
    }

    [Theory]
    [InlineData("cpu", 1, null, 4)]
    [InlineData("cpu", 2, null, 2)]      // two CPU workers share the job's 4 threads
    [InlineData("cuda:0", 2, null, 4)]   // GPU workers each keep the job's CPU share
    [InlineData("cpu", 2, 3, 3)]         // the run's own setting wins
    public void ThreadsFor_Run_OwnSettingElseTheShareOverItsCpuWorkers(string device, int worldSize, int? own, int expected)
    {
        var options = new TrainingOptions { CpuThreads = 8, MaxConcurrentRunsPerDevice = 1 };

        Assert.Equal(expected, options.ThreadsFor(new RunSpec { Device = device, WorldSize = worldSize, Threads = own }));
    }

    [Fact]
    public void EvaluationArguments_Threads_EndWithTheThreadsFlag()
    {
        var arguments = EvaluationArguments.For("/ckpt", "/data", "dev", 1, "/hyp.txt", "cpu", 4, threads: 2);

        Assert.Equal(["--threads", "2"], arguments.TakeLast(2));
        Assert.DoesNotContain("--threads", EvaluationArguments.For("/ckpt", "/data", "dev", 1, "/hyp.txt", "cpu", 4));
    }
}
