using PhoenixSlt.Web.Services.Uploads;

namespace PhoenixSlt.Web.Tests.Uploads;

public sealed class UploadBudgetTests
{
    [Fact]
    public void TryAcquire_WithinCapacity_HoldsTheBytesUntilDisposed()
    {
        var budget = new UploadBudget(100);

        using (var first = budget.TryAcquire(60))
        using (var second = budget.TryAcquire(40))
        {
            Assert.NotNull(first);
            Assert.NotNull(second);
            Assert.Equal(100, budget.InFlightBytes);
        }

        Assert.Equal(0, budget.InFlightBytes);
    }

    [Fact]
    public void TryAcquire_OverCapacity_RefusedWithoutTakingAnything()
    {
        var budget = new UploadBudget(100);
        using var held = budget.TryAcquire(60);

        Assert.Null(budget.TryAcquire(41));
        Assert.Null(new UploadBudget(100).TryAcquire(101));
        Assert.Equal(60, budget.InFlightBytes);
        using var fits = budget.TryAcquire(40);
        Assert.NotNull(fits);
    }

    [Fact]
    public void Lease_ExceptionInsideItsScope_BytesGivenBack()
    {
        var budget = new UploadBudget(100);

        void FailingRequest()
        {
            using var lease = budget.TryAcquire(70);
            throw new InvalidOperationException("the request failed");
        }

        Assert.Throws<InvalidOperationException>(FailingRequest);

        Assert.Equal(0, budget.InFlightBytes);
        Assert.NotNull(budget.TryAcquire(100));
    }

    [Fact]
    public void Dispose_Twice_ReleasesOnce()
    {
        var budget = new UploadBudget(100);
        using var other = budget.TryAcquire(30);
        var lease = budget.TryAcquire(50)!;

        lease.Dispose();
        lease.Dispose();

        Assert.Equal(30, budget.InFlightBytes);
        Assert.Equal(0, lease.Bytes);
    }

    [Fact]
    public void TryGrowTo_FitsOrKeepsWhatItHad()
    {
        var budget = new UploadBudget(100);
        using var other = budget.TryAcquire(20);
        using var lease = budget.TryAcquire(30)!;

        Assert.True(lease.TryGrowTo(80));          // 20 + 80 = 100: fits exactly
        Assert.Equal((80L, 100L), (lease.Bytes, budget.InFlightBytes));
        Assert.False(lease.TryGrowTo(81));
        Assert.Equal((80L, 100L), (lease.Bytes, budget.InFlightBytes));
        Assert.True(lease.TryGrowTo(10));          // smaller than held: unchanged
        Assert.Equal(80, lease.Bytes);

        lease.Dispose();
        Assert.Equal(20, budget.InFlightBytes);
        Assert.Throws<ObjectDisposedException>(() => lease.TryGrowTo(90));
    }

    [Fact]
    public async Task TryAcquire_ManyThreadsAtOnce_NeverMoreThanTheCapacityHeld()
    {
        var budget = new UploadBudget(10);
        int held = 0, maxHeld = 0, refused = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 2000; i++)
            {
                using var lease = budget.TryAcquire(3);
                if (lease is null)
                {
                    Interlocked.Increment(ref refused);
                    continue;
                }
                int now = Interlocked.Increment(ref held);
                InterlockedMax(ref maxHeld, now);
                Interlocked.Decrement(ref held);
            }
        })));

        Assert.True(maxHeld <= 3, $"{maxHeld} leases of 3 bytes were held at once in a budget of 10");
        Assert.Equal(0, budget.InFlightBytes);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

public sealed class UploadOptionsValidatorTests
{
    [Theory]
    [InlineData(64, 64, false)]   // 64 MiB of budget cannot hold a 64 MiB upload plus its form overhead
    [InlineData(65, 64, true)]
    [InlineData(256, 64, true)]
    public void Validate_BudgetAgainstTheLargestUpload(int inFlightMb, int maxUploadMb, bool valid)
    {
        var translation = Microsoft.Extensions.Options.Options.Create(new PhoenixSlt.Web.Services.Translation.TranslationOptions { MaxUploadBytes = maxUploadMb * 1024L * 1024 });

        var result = new UploadOptionsValidator(translation).Validate(null, new PhoenixSlt.Web.Options.UploadOptions { MaxInFlightMb = inFlightMb });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
            Assert.Contains($"Phoenix:Uploads:MaxInFlightMb ({inFlightMb} MiB) must hold at least one largest upload request", result.FailureMessage, StringComparison.Ordinal);
    }
}

public sealed class UploadStagingTests : IDisposable
{
    private readonly string _root = PhoenixSlt.Tests.TestPaths.NewTempDir("upload-staging");

    private UploadStaging Staging() => new(
        new PhoenixSlt.Web.Services.PhoenixPaths(
            Microsoft.Extensions.Options.Options.Create(new PhoenixSlt.Web.Options.PhoenixOptions { DataRoot = _root }),
            new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = _root }),
        Microsoft.Extensions.Logging.Abstractions.NullLogger<UploadStaging>.Instance);

    [Fact]
    public async Task AddFileAsync_WithinTheLimit_FileUnderDataRootDeletedWithTheForm()
    {
        var staging = Staging();
        byte[] content = [.. Enumerable.Range(0, 200_000).Select(i => (byte)i)];
        var form = new StagedForm();

        long length = await staging.AddFileAsync(form, "kpts", "a.kpts.npy", new MemoryStream(content), 1_000_000, CancellationToken.None);

        var staged = Assert.Single(form.Files);
        Assert.Equal(Path.Combine(_root, ".temp", "uploads"), staging.Folder);
        Assert.Equal(content.Length, length);
        using (var read = staged.File.OpenRead())
        using (var copy = new MemoryStream())
        {
            await read.CopyToAsync(copy);
            Assert.Equal(content, copy.ToArray());
        }
        Assert.Single(Directory.EnumerateFiles(staging.Folder));
        form.Dispose();
        Assert.Empty(Directory.EnumerateFiles(staging.Folder));
    }

    [Fact]
    public async Task AddFileAsync_OverTheLimit_RefusedAndNothingLeftBehind()
    {
        var staging = Staging();
        using var form = new StagedForm();

        var error = await Assert.ThrowsAsync<UploadFormException>(() => staging.AddFileAsync(form, "zip", "big.zip", new MemoryStream(new byte[300_000]), 100_000, CancellationToken.None));

        Assert.Equal("The upload has more than the 100000 bytes accepted; send fewer or shorter clips.", error.Message);
        Assert.Empty(form.Files);
        Assert.Empty(Directory.EnumerateFiles(staging.Folder));
    }

    public void Dispose() => PhoenixSlt.Tests.TestPaths.TryDeleteDir(_root);
}
