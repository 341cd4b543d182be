using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace PhoenixSlt.Web.Tests.Components;

/// bUnit context with MudBlazor services, loose JS interop and a popover provider (needed by MudSelect).
public abstract class PortalTestContext : BunitContext, IAsyncLifetime
{
    protected PortalTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddLogging();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// MudBlazor registers services that only implement IAsyncDisposable, so the container must be disposed asynchronously.
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// Renders the popover provider, then <typeparamref name="TComponent"/>.
    protected IRenderedComponent<TComponent> RenderPage<TComponent>() where TComponent : Microsoft.AspNetCore.Components.IComponent
    {
        Render<MudPopoverProvider>();
        return Render<TComponent>();
    }
}
