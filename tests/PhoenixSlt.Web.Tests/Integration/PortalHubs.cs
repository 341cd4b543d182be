using Microsoft.AspNetCore.SignalR.Client;
using PhoenixSlt.Web.Security;

namespace PhoenixSlt.Web.Tests.Integration;

public static class PortalHubs
{
    /// A SignalR connection to a hub of the portal, authenticated by <paramref name="apiKey"/>.
    public static HubConnection Connect(Uri hubUrl, string apiKey = PhoenixWebFactory.ApiKey) =>
        new HubConnectionBuilder().WithUrl(hubUrl, options => options.Headers[AuthOptions.ApiKeyHeader] = apiKey).Build();
}
