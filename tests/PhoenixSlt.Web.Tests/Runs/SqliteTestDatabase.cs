using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Tests;
using PhoenixSlt.Web.Data;

namespace PhoenixSlt.Web.Tests.Runs;

/// A real Sqlite file in a temporary folder, migrated like the portal does at start.
public sealed class SqliteTestDatabase : IDisposable
{
    public SqliteTestDatabase()
    {
        Root = TestPaths.NewTempDir("phoenix-db");
        FilePath = Path.Combine(Root, "phoenix.db");
        Options = new DbContextOptionsBuilder<PhoenixDbContext>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = FilePath }.ToString()).Options;
        using var db = Create();
        PhoenixDatabase.InitializeAsync(db).GetAwaiter().GetResult();
    }

    public string Root { get; }

    public string FilePath { get; }

    public DbContextOptions<PhoenixDbContext> Options { get; }

    public PhoenixDbContext Create() => new(Options);

    /// A context factory over the same file (what the portal's services get).
    public IDbContextFactory<PhoenixDbContext> Factory() => new Contexts(Options);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        TestPaths.TryDeleteDir(Root);
    }

    private sealed class Contexts(DbContextOptions<PhoenixDbContext> options) : IDbContextFactory<PhoenixDbContext>
    {
        public PhoenixDbContext CreateDbContext() => new(options);
    }
}
