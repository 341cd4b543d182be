namespace PhoenixSlt.Web.Security;

/// The portal's roles. Viewers browse, translate and compare; operators also launch and cancel runs,
/// evaluations and imports; admins also manage accounts.
public static class PortalRoles
{
    public const string Admin = "admin";
    public const string Operator = "operator";
    public const string Viewer = "viewer";

    /// Every role, most privileged first.
    public static IReadOnlyList<string> All { get; } = [Admin, Operator, Viewer];

    public static bool IsKnown(string? role) => role is Admin or Operator or Viewer;
}

/// Authorization policy names.
public static class PortalPolicies
{
    /// Launching runs, evaluations and imports: roles admin or operator.
    public const string Operator = "operator";

    /// Managing accounts: role admin.
    public const string Admin = "admin";
}
