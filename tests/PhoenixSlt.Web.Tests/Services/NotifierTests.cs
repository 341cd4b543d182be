using PhoenixSlt.Web.Services;

namespace PhoenixSlt.Web.Tests.Services;

public class NotifierTests
{
    [Fact]
    public void Publish_WithSubscriber_DeliversValueAndUpdatesCurrent()
    {
        var notifier = new Notifier<int>(0);
        var received = new List<int>();
        using IDisposable subscription = notifier.Subscribe(received.Add);

        notifier.Publish(7);

        Assert.Equal([7], received);
        Assert.Equal(7, notifier.Current);
    }

    [Fact]
    public void Publish_AfterDispose_DoesNotCallHandler()
    {
        var notifier = new Notifier<int>(0);
        var received = new List<int>();
        IDisposable subscription = notifier.Subscribe(received.Add);

        subscription.Dispose();
        subscription.Dispose();
        notifier.Publish(3);

        Assert.Empty(received);
    }

    [Theory]
    [InlineData(0, 0, 0.0)]
    [InlineData(5, 20, 25.0)]
    [InlineData(30, 20, 100.0)]
    public void Percent_DoneOfTotal_IsClampedPercentage(int done, int total, double expected)
    {
        var status = new BootstrapStatus(BootstrapState.Running, "d", "train", done, total);

        Assert.Equal(expected, status.Percent, 10);
    }
}
