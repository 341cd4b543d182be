using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PhoenixSlt.Web.Services;

namespace PhoenixSlt.Web.Data;

/// Where the database is and how it is prepared: the connection string, migrations and WAL mode.
public static class PhoenixDatabase
{
    /// ConnectionStrings:Phoenix when set, else a Sqlite file at <see cref="DatabaseOptions.Database"/>
    /// (relative to the data root).
    public static string ConnectionString(IConfiguration configuration, DatabaseOptions options, PhoenixPaths paths)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(paths);
        string? configured = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured))
            return configured;
        return new SqliteConnectionStringBuilder { DataSource = FilePath(options, paths) }.ToString();
    }

    /// Full path of the database file: <see cref="DatabaseOptions.Database"/> under the data root unless rooted.
    public static string FilePath(DatabaseOptions options, PhoenixPaths paths)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(paths);
        string file = string.IsNullOrWhiteSpace(options.Database) ? DatabaseOptions.DefaultFileName : options.Database.Trim();
        return PhoenixPaths.Resolve(paths.DataRoot, file);
    }

    /// Creates the database file's folder, applies pending migrations and switches the journal to WAL (readers
    /// and the writer do not block each other).
    public static async Task InitializeAsync(PhoenixDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var builder = new SqliteConnectionStringBuilder(db.Database.GetConnectionString());
        if (!string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (folder is not null)
                Directory.CreateDirectory(folder);
        }
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
    }
}

/// Whether the database could be prepared at start; when not, <see cref="Error"/> says why and what to do (the
/// portal keeps serving its other pages, and the training supervisor stays idle).
public sealed class DatabaseState
{
    private volatile string? _error;
    private volatile bool _ready;

    public bool IsReady => _ready;

    public string? Error => _error;

    public void MarkReady() => _ready = true;

    public void MarkFailed(string error) => _error = error;
}

/// Prepares the database before the other hosted services (the training supervisor) and the server start. A file
/// that cannot be created or opened is reported in <see cref="DatabaseState"/> instead of stopping the portal.
public sealed class DatabaseInitializer(IDbContextFactory<PhoenixDbContext> contexts, DatabaseState state, ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        string location = db.Database.GetDbConnection().DataSource;
        try
        {
            await PhoenixDatabase.InitializeAsync(db, cancellationToken).ConfigureAwait(false);
            state.MarkReady();
            logger.LogInformation("Database ready: {DataSource}", location);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SqliteException or InvalidOperationException)
        {
            string error = $"{location}: the portal's database cannot be created or opened ({e.Message}); give a writable location with Phoenix:Database (or fix the data root) and restart. Training runs are unavailable until then.";
            state.MarkFailed(error);
            logger.LogError(e, "Database unavailable: {Error}", error);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class DatabaseServiceCollectionExtensions
{
    /// The Sqlite database (context factory, options) and its start-up initialisation.
    public static IServiceCollection AddPhoenixDatabase(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName);
        services.AddDbContextFactory<PhoenixDbContext>((provider, builder) => builder.UseSqlite(PhoenixDatabase.ConnectionString(
            provider.GetRequiredService<IConfiguration>(),
            provider.GetRequiredService<IOptions<DatabaseOptions>>().Value,
            provider.GetRequiredService<PhoenixPaths>())));
        services.AddSingleton<DatabaseState>();
        services.AddHostedService<DatabaseInitializer>();
        return services;
    }
}
