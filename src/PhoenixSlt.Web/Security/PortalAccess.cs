using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace PhoenixSlt.Web.Security;

/// Role checks for pages (the APIs use the policies of <see cref="PortalPolicies"/>).
public static class PortalAccess
{
    public const string OperatorHint = "Needs the operator role";

    /// Admins and operators may launch and cancel runs, evaluations and imports.
    public static bool CanOperate(ClaimsPrincipal? user) =>
        user is not null && (user.IsInRole(PortalRoles.Admin) || user.IsInRole(PortalRoles.Operator));

    public static bool IsAdmin(ClaimsPrincipal? user) => user?.IsInRole(PortalRoles.Admin) == true;

    /// The signed-in user of a page, or null when the page has no authentication state.
    public static async Task<ClaimsPrincipal?> UserAsync(Task<AuthenticationState>? state) =>
        state is null ? null : (await state.ConfigureAwait(false)).User;
}
