using Microsoft.AspNetCore.SignalR;

namespace PhoenixSlt.Web.Hubs;

/// SignalR hub at <see cref="Route"/>. A client connects, then posts its upload to POST /api/translate with its
/// connection id (form field <c>connectionId</c>): each clip's <see cref="Services.Translation.TranslationResult"/>
/// is pushed to that connection (<see cref="ResultMethod"/>) as soon as it is decoded, before the HTTP response
/// carries them all.
public sealed class TranslateHub : Hub
{
    public const string Route = "/hubs/translate";

    /// Client method receiving one <see cref="Services.Translation.TranslationResult"/>.
    public const string ResultMethod = "translation";

    /// The caller's connection id, to pass as <c>connectionId</c> to POST /api/translate.
    public string ConnectionId() => Context.ConnectionId;
}
