using PhoenixSlt.Training.Distributed;

namespace PhoenixSlt.Training.Tests.Distributed;

[Collection("Distributed")]
public sealed class DistributedOptionsTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void FromEnvironment_AllVariablesSet_ReadsEveryOne()
    {
        var options = DistributedOptions.FromEnvironment(Environment(
            ("PHOENIX_MASTER_ADDR", "node0.cluster"),
            ("PHOENIX_MASTER_PORT", "29555"),
            ("PHOENIX_RANK", "3"),
            ("PHOENIX_WORLD_SIZE", "8"),
            ("PHOENIX_BACKEND", "NCCL"),
            ("PHOENIX_DIST_TIMEOUT", "120")));

        Assert.Equal(new DistributedOptions("node0.cluster", 29555, 3, 8, DistributedBackend.Nccl, TimeSpan.FromSeconds(120)), options);
        Assert.True(options.IsDistributed);
    }

    [Fact]
    public void WithEnvironment_NothingSet_KeepsTheGivenValues()
    {
        var given = new DistributedOptions("10.1.2.3", 4000, 1, 2, DistributedBackend.Tcp, TimeSpan.FromSeconds(5));

        Assert.Equal(given, given.WithEnvironment(_ => null));
        Assert.False(DistributedOptions.Default.IsDistributed);
    }

    [Theory]
    [InlineData("PHOENIX_RANK", "two", "PHOENIX_RANK='two' is not an integer")]
    [InlineData("PHOENIX_MASTER_PORT", "http", "PHOENIX_MASTER_PORT='http' is not an integer")]
    [InlineData("PHOENIX_DIST_TIMEOUT", "-1", "PHOENIX_DIST_TIMEOUT='-1' is not a positive number of seconds")]
    [InlineData("PHOENIX_BACKEND", "gloo", "unknown backend 'gloo'; use auto, tcp (CPU) or nccl (CUDA)")]
    public void FromEnvironment_BadValue_NamesTheVariable(string name, string value, string expected)
    {
        var error = Assert.Throws<DistributedException>(() => DistributedOptions.FromEnvironment(Environment((name, value))));

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(2, 2, 29500, "rank 2 is outside 0..1")]
    [InlineData(-1, 2, 29500, "rank -1 is outside 0..1")]
    [InlineData(0, 0, 29500, "world size is 0")]
    [InlineData(1, 2, 0, "rank 1 needs the master port")]
    [InlineData(0, 2, 70000, "master port 70000 is not a TCP port")]
    public void Validate_InconsistentSettings_SaysWhatIsWrong(int rank, int world, int port, string expected)
    {
        var options = new DistributedOptions("127.0.0.1", port, rank, world, DistributedBackend.Auto, TimeSpan.FromSeconds(1));

        var error = Assert.Throws<DistributedException>(() => options.Validate());

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Validate_TimeoutOfZero_IsRejected()
    {
        var options = DistributedOptions.Default with { Timeout = TimeSpan.Zero };

        var error = Assert.Throws<DistributedException>(() => options.Validate());

        Assert.Contains("timeout 0 s must be positive", error.Message);
    }

    [Fact]
    public void Validate_PortZeroOnRankZero_IsAllowed()
    {
        var options = new DistributedOptions("127.0.0.1", 0, 0, 4, DistributedBackend.Tcp, TimeSpan.FromSeconds(1));

        Assert.Same(options, options.Validate());
    }
}
