namespace PhoenixSlt.Web.Data;

/// Where the portal's Sqlite database lives: "ConnectionStrings:Phoenix" when set, else the file
/// "Phoenix:Database" (default phoenix.db; a relative path is taken from the data root).
public sealed class DatabaseOptions
{
    public const string SectionName = "Phoenix";
    public const string ConnectionStringName = "Phoenix";
    public const string DefaultFileName = "phoenix.db";

    /// Database file; relative paths are resolved against the data root.
    public string Database { get; set; } = DefaultFileName;
}
