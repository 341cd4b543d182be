using Microsoft.AspNetCore.Components;
using PhoenixSlt.Web.Services.SystemInfo;

namespace PhoenixSlt.Web.Components.Pages;

public partial class SystemPage : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private SystemReport? _report;
    private string? _error;
    private bool _loading;

    [Inject] private IServiceProvider Services { get; set; } = null!;
    [Inject] private ILogger<SystemPage> Logger { get; set; } = null!;

    protected override Task OnInitializedAsync() => RefreshAsync();

    private async Task RefreshAsync()
    {
        _loading = true;
        try
        {
            // The service holds no state; it is created here when the host did not register it.
            SystemInfoService service = Services.GetRequiredService<SystemInfoService>();
            _report = await service.GatherAsync(_disposed.Token);
            _error = null;
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // the page was closed
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Logger.LogWarning(ex, "Gathering the system report failed");
            _error = $"Gathering the system report failed: {ex.Message}. Press Refresh to try again; the portal's log has the details.";
        }
        finally
        {
            _loading = false;
        }
    }

    private static string StorageTestId(StorageInfo storage)
        => "storage-" + storage.Label.ToLowerInvariant().Replace(' ', '-');

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
