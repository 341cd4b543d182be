using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using MudBlazor;
using MudBlazor.Services;
using PhoenixSlt.Web.Options;
using PhoenixSlt.Web.Security;
using PhoenixSlt.Web.Services;
using PhoenixSlt.Web.Services.Datasets;

namespace PhoenixSlt.Web.Tests.Components;

/// bUnit context with MudBlazor services, loose JS interop, a popover provider (needed by MudSelect) and a
/// signed-in user with the operator role (<see cref="Auth"/> changes it).
public abstract class PortalTestContext : BunitContext, IAsyncLifetime
{
    protected PortalTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddLogging();
        Auth = AddAuthorization();
        Auth.SetAuthorized("tester");
        Auth.SetRoles(PortalRoles.Operator);
    }

    /// The signed-in user of rendered pages.
    protected BunitAuthorizationContext Auth { get; }

    /// Registers the portal's data services for a data root (the notifier starts as "nothing to do").
    protected BootstrapNotifier AddDataServices(string dataRoot, string defaultDataset = "phoenix-synth")
    {
        var options = new PhoenixOptions { DataRoot = dataRoot, DefaultDataset = defaultDataset };
        var paths = new PhoenixPaths(Microsoft.Extensions.Options.Options.Create(options), new TestEnvironment(dataRoot));
        var notifier = new BootstrapNotifier();
        notifier.Publish(new BootstrapStatus(BootstrapState.NotNeeded, defaultDataset));
        Services.AddSingleton(paths);
        Services.AddSingleton(notifier);
        Services.AddSingleton<DatasetCatalog>();
        Services.AddSingleton<DatasetOverviewCache>();
        Services.AddSingleton<PhoenixSlt.Web.Services.SystemInfo.SystemInfoService>();
        return notifier;
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

    private sealed class TestEnvironment(string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;
        public string ApplicationName { get; set; } = "PhoenixSlt.Web";
        public string ContentRootPath { get; set; } = contentRoot;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
