namespace PhoenixSlt.Web.Services;

/// Holds the latest value of a piece of server state and tells subscribers when it changes.
/// Subscriptions are IDisposable; components call back through InvokeAsync and dispose the
/// subscription in their own Dispose. Handlers run on the publisher's thread.
public class Notifier<T>(T initial)
{
    private readonly Lock _gate = new();
    private readonly List<Action<T>> _handlers = [];
    private T _current = initial;

    public T Current
    {
        get { lock (_gate) return _current; }
    }

    public void Publish(T value)
    {
        Action<T>[] handlers;
        lock (_gate)
        {
            _current = value;
            handlers = [.. _handlers];
        }
        foreach (Action<T> handler in handlers)
            handler(value);
    }

    public IDisposable Subscribe(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate) _handlers.Add(handler);
        return new Subscription(this, handler);
    }

    private void Unsubscribe(Action<T> handler)
    {
        lock (_gate) _handlers.Remove(handler);
    }

    private sealed class Subscription(Notifier<T> owner, Action<T> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                owner.Unsubscribe(handler);
        }
    }
}
