using PhoenixSlt.Web.Components;
using PhoenixSlt.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddPhoenixServices();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAntiforgery();

app.MapStaticAssets();
app.MapPhoenixHealth();
app.MapPhoenixApis();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();

app.Run();

/// Entry point type, public so integration tests can host the app with WebApplicationFactory.
public partial class Program;
