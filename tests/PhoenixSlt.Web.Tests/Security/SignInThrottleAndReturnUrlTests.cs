using PhoenixSlt.Web.Security;

namespace PhoenixSlt.Web.Tests.Security;

public sealed class SignInThrottleAndReturnUrlTests
{
    [Fact]
    public void SecondsLocked_AfterMaxFailures_LocksForTheConfiguredTimeThenCountsAfresh()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
        var throttle = new SignInThrottle(Microsoft.Extensions.Options.Options.Create(new AuthOptions { MaxFailedSignIns = 3, LockoutSeconds = 60 }), clock);

        throttle.RecordFailure("alice");
        throttle.RecordFailure("ALICE");
        Assert.Equal(0, throttle.SecondsLocked("alice"));
        throttle.RecordFailure("alice");
        Assert.Equal(60, throttle.SecondsLocked("alice"));
        Assert.Equal(0, throttle.SecondsLocked("bob"));

        clock.Advance(TimeSpan.FromSeconds(59.5));
        Assert.Equal(1, throttle.SecondsLocked("alice"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, throttle.SecondsLocked("alice"));

        throttle.RecordFailure("alice");
        Assert.Equal(0, throttle.SecondsLocked("alice")); // one failure of a new count
    }

    [Fact]
    public void RecordSuccess_ClearsTheCount()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var throttle = new SignInThrottle(Microsoft.Extensions.Options.Options.Create(new AuthOptions { MaxFailedSignIns = 2 }), clock);
        throttle.RecordFailure("alice");

        throttle.RecordSuccess("alice");
        throttle.RecordFailure("alice");

        Assert.Equal(0, throttle.SecondsLocked("alice"));
    }

    [Theory]
    [InlineData("/runs/3?tab=log", "/runs/3?tab=log")]
    [InlineData("/", "/")]
    [InlineData(null, "/")]
    [InlineData("", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    [InlineData("runs", "/")]
    [InlineData("/runs\r\nSet-Cookie: x=1", "/")]
    public void Safe_OnlyLocalPathsPass(string? returnUrl, string expected) =>
        Assert.Equal(expected, ReturnUrls.Safe(returnUrl));
}
