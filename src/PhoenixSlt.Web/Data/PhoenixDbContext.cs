using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Data;

/// The portal's Sqlite database: training runs and their groups, their metric points and log lines, checkpoints,
/// evaluations and user accounts.
/// Create contexts through IDbContextFactory&lt;PhoenixDbContext&gt; (Blazor Server and background services).
public sealed class PhoenixDbContext(DbContextOptions<PhoenixDbContext> options) : DbContext(options)
{
    public DbSet<RunEntity> Runs => Set<RunEntity>();
    public DbSet<MetricPoint> MetricPoints => Set<MetricPoint>();
    public DbSet<RunLogLine> RunLogLines => Set<RunLogLine>();
    public DbSet<CheckpointEntity> Checkpoints => Set<CheckpointEntity>();
    public DbSet<EvaluationEntity> Evaluations => Set<EvaluationEntity>();
    public DbSet<EvaluationSentence> EvaluationSentences => Set<EvaluationSentence>();
    public DbSet<UserEntity> Users => Set<UserEntity>();
    public DbSet<RunGroupEntity> RunGroups => Set<RunGroupEntity>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // Sqlite keeps no time zone: every DateTime is stored as UTC and read back with Kind = Utc.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
        // Run and evaluation statuses keep their lower-case text ("queued", "running", …).
        configurationBuilder.Properties<JobStatus>().HaveConversion<JobStatusConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<RunEntity>(run =>
        {
            run.ToTable("runs");
            run.Property(r => r.Name).HasMaxLength(200);
            run.Property(r => r.Phase).HasMaxLength(16);
            run.Property(r => r.Stage).HasMaxLength(16);
            run.Property(r => r.Status).HasMaxLength(16);
            run.HasIndex(r => r.Status);
            run.HasIndex(r => r.CreatedAt);
            run.HasMany(r => r.Metrics).WithOne().HasForeignKey(m => m.RunId).OnDelete(DeleteBehavior.Cascade);
            run.HasMany(r => r.LogLines).WithOne().HasForeignKey(l => l.RunId).OnDelete(DeleteBehavior.Cascade);
            run.Property(r => r.GroupLabel).HasMaxLength(200);
            run.Property(r => r.Tags).HasMaxLength(1000);
            // a plain indexed column, no foreign key: adding one to the existing runs table would make Sqlite rebuild
            // it (outside the migration's transaction); groups are never deleted
            run.HasIndex(r => r.GroupId);
        });
        modelBuilder.Entity<RunGroupEntity>(group =>
        {
            group.ToTable("run_groups");
            group.Property(g => g.Name).HasMaxLength(200);
            group.Property(g => g.Kind).HasMaxLength(16);
            group.HasIndex(g => g.CreatedAt);
        });
        modelBuilder.Entity<MetricPoint>(metric =>
        {
            metric.ToTable("metric_points");
            metric.Property(m => m.Name).HasMaxLength(64);
            metric.Property(m => m.Stage).HasMaxLength(16);
            metric.HasIndex(m => new { m.RunId, m.Name, m.Step });
        });
        modelBuilder.Entity<RunLogLine>(line =>
        {
            line.ToTable("run_log_lines");
            line.Property(l => l.Level).HasMaxLength(16);
            line.HasIndex(l => new { l.RunId, l.Id });
        });
        modelBuilder.Entity<CheckpointEntity>(checkpoint =>
        {
            checkpoint.ToTable("checkpoints");
            checkpoint.Property(c => c.Phase).HasMaxLength(16);
            checkpoint.HasIndex(c => c.Path).IsUnique();
            checkpoint.HasIndex(c => c.RunId);
            checkpoint.Property(c => c.Tags).HasMaxLength(1000);
            checkpoint.HasOne<RunEntity>().WithMany().HasForeignKey(c => c.RunId).OnDelete(DeleteBehavior.SetNull);
        });
        EvaluationModelConfiguration.Configure(modelBuilder);
        modelBuilder.Entity<UserEntity>(user =>
        {
            user.ToTable("users");
            // NOCASE: "Admin" and "admin" are the same account.
            user.Property(u => u.UserName).HasMaxLength(64).UseCollation("NOCASE");
            user.HasIndex(u => u.UserName).IsUnique();
            user.Property(u => u.Role).HasMaxLength(16);
            user.Property(u => u.ApiKeyHash).HasMaxLength(64);
            user.HasIndex(u => u.ApiKeyHash).IsUnique();
            user.Property(u => u.ApiKeyPrefix).HasMaxLength(8);
            user.Property(u => u.SecurityStamp).HasMaxLength(32);
        });
    }
}

/// Stores DateTime as UTC; values read back carry DateTimeKind.Utc.
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
