namespace PhoenixSlt.Web.Services;

/// An <see cref="IProgress{T}"/> that calls back on the reporting thread (unlike <see cref="Progress{T}"/>,
/// which posts to the captured synchronization context). Components marshal with InvokeAsync themselves.
public sealed class CallbackProgress<T>(Action<T> callback) : IProgress<T>
{
    public void Report(T value) => callback(value);
}
