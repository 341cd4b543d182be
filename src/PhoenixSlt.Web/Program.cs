using PhoenixSlt.Web.Components;
using PhoenixSlt.Web.Extensions;
using PhoenixSlt.Web.Security;

// Before libtorch is loaded: the Translate service's OpenMP threads sleep between batches instead of spinning.
PhoenixSlt.Cli.OpenMpDefaults.PreferPassiveWait();

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddPhoenixServices();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseMiddleware<ApiStatusCodesMiddleware>();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.UseMiddleware<ApiAntiforgeryMiddleware>();

// Static files (styles, scripts, icons) are public; every other endpoint requires sign-in (fallback policy).
app.MapStaticAssets().AllowAnonymous();
app.MapPhoenixHealth();
app.MapPhoenixAccount();
app.MapPhoenixApis();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();

app.Run();

/// Entry point type, public so integration tests can host the app with WebApplicationFactory.
public partial class Program;
