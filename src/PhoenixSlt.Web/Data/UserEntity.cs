namespace PhoenixSlt.Web.Data;

/// A portal account. The password is stored as an ASP.NET Core Identity hash (PBKDF2), the API key as the
/// SHA-256 of the key; neither is ever stored in clear text.
public sealed class UserEntity
{
    public int Id { get; set; }

    /// Sign-in name, unique without regard to case.
    public string UserName { get; set; } = "";

    public string PasswordHash { get; set; } = "";

    /// One of <see cref="Security.PortalRoles"/>.
    public string Role { get; set; } = Security.PortalRoles.Viewer;

    /// Hex SHA-256 of the user's API key, or null when the user has none.
    public string? ApiKeyHash { get; set; }

    /// First characters of the API key, shown so a user can tell which key is active.
    public string? ApiKeyPrefix { get; set; }

    /// Changes whenever the password or role changes; signed-in sessions with an older stamp end.
    public string SecurityStamp { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public DateTime? LastSignInAt { get; set; }
}
