using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;

namespace PhoenixSlt.Web.Tests.Runs;

/// Run and evaluation statuses are an enum in the code and the same lower-case text in the database and in JSON as
/// before the enum existed, so existing databases and API clients need no change.
public sealed class JobStatusStorageTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public void Model_StatusColumnsAsInTheMigrations_NoSchemaChangePending()
    {
        using var db = _database.Create();

        Assert.False(db.Database.HasPendingModelChanges());
    }

    [Fact]
    public async Task SaveChanges_EveryRunStatus_StoredAsItsLowerCaseName()
    {
        await using (var db = _database.Create())
        {
            db.Runs.AddRange(Enum.GetValues<JobStatus>().Select(s => new RunEntity { Name = "r", Phase = "slt", Status = s, Dataset = "d", CreatedAt = DateTime.UtcNow, OutputFolder = "/x" }));
            await db.SaveChangesAsync();
        }

        Assert.Equal(["queued", "running", "completed", "failed", "cancelled", "interrupted"], ReadColumn("SELECT Status FROM runs ORDER BY Id"));
    }

    [Fact]
    public async Task Queries_RowsWrittenAsText_ReadAndFilteredAsTheEnum()
    {
        await using (var seed = _database.Create())
        {
            seed.Runs.AddRange(new[] { "a", "b", "c" }.Select(n => new RunEntity { Name = n, Phase = "slt", Dataset = "d", CreatedAt = DateTime.UtcNow, OutputFolder = "/x" }));
            await seed.SaveChangesAsync();
        }
        Execute("UPDATE runs SET Status = CASE Name WHEN 'a' THEN 'interrupted' WHEN 'b' THEN 'queued' ELSE 'sleeping' END");
        await using var db = _database.Create();

        var interrupted = await db.Runs.Where(r => r.Status == JobStatus.Interrupted).Select(r => r.Name).ToListAsync();
        var all = await db.Runs.OrderBy(r => r.Name).Select(r => r.Status).ToListAsync();

        Assert.Equal(["a"], interrupted);
        Assert.Equal([JobStatus.Interrupted, JobStatus.Queued, JobStatus.Failed], all);   // unknown text reads as failed
    }

    [Fact]
    public async Task ExecuteUpdate_EvaluationStatus_StoredAsText()
    {
        await using var db = _database.Create();
        var checkpoint = new CheckpointEntity { Path = "/ck/best", Phase = "slt", CreatedAt = DateTime.UtcNow };
        db.Checkpoints.Add(checkpoint);
        await db.SaveChangesAsync();
        db.Evaluations.Add(new EvaluationEntity { CheckpointId = checkpoint.Id, CheckpointPath = checkpoint.Path, Dataset = "d", Split = "dev", Beams = 1, CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();

        await db.Evaluations.Where(e => e.Status == JobStatus.Queued).ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, JobStatus.Cancelled));

        Assert.Equal(["cancelled"], ReadColumn("SELECT Status FROM evaluations"));
    }

    [Fact]
    public void Json_EveryStatus_LowerCaseNameBothWays()
    {
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        foreach (var status in Enum.GetValues<JobStatus>())
        {
            string json = JsonSerializer.Serialize(status, web);
            Assert.Equal($"\"{status.ToString().ToLowerInvariant()}\"", json);
            Assert.Equal(status, JsonSerializer.Deserialize<JobStatus>(json, web));
        }
    }

    private List<string> ReadColumn(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_database.FilePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var values = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
            values.Add(reader.GetString(0));
        return values;
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_database.FilePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
