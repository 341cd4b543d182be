namespace PhoenixSlt.Web.Services;

public enum BootstrapState
{
    /// The bootstrapper has not looked at the data root yet.
    Pending,
    /// A dataset already exists (or first-start generation is switched off): nothing to do.
    NotNeeded,
    /// The synthetic dataset is being generated.
    Running,
    Completed,
    Failed,
}

/// First-start progress: generating the synthetic dataset into DataRoot/DefaultDataset.
public sealed record BootstrapStatus(
    BootstrapState State,
    string? Dataset = null,
    string Stage = "",
    int Done = 0,
    int Total = 0,
    string? Error = null)
{
    public static BootstrapStatus Initial { get; } = new(BootstrapState.Pending);

    public bool IsRunning => State is BootstrapState.Pending or BootstrapState.Running;

    /// 0..100, or 0 when the total is not known yet.
    public double Percent => Total > 0 ? Math.Clamp(100.0 * Done / Total, 0, 100) : 0;
}

/// Singleton that publishes <see cref="BootstrapStatus"/> to pages.
public sealed class BootstrapNotifier() : Notifier<BootstrapStatus>(BootstrapStatus.Initial);
