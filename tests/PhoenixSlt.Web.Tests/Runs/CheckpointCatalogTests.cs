using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Runs;

public sealed class CheckpointCatalogTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();
    private string CheckpointRoot => Path.Combine(_database.Root, "checkpoints");

    public void Dispose() => _database.Dispose();

    [Theory]
    [InlineData("runs/12/slt/best", 12)]
    [InlineData("runs/3/last", 3)]
    [InlineData("runs/x/best", null)]
    [InlineData("imported/mbart", null)]
    [InlineData("runs", null)]
    public void RunIdOf_FolderUnderTheRoot_ReadsTheRunsFolderNumber(string relative, int? expected)
    {
        Assert.Equal(expected, CheckpointCatalog.RunIdOf(Path.Combine(CheckpointRoot, relative), CheckpointRoot));
    }

    [Fact]
    public async Task ScanAsync_CheckpointFolders_AddsRowsLinksKnownRunsAndForgetsDeletedFolders()
    {
        int runId;
        await using (var db = _database.Create())
        {
            var run = new RunEntity { Name = "r", Phase = "slt", Status = JobStatus.Completed, Dataset = "d", CreatedAt = DateTime.UtcNow, OutputFolder = "/x" };
            db.Runs.Add(run);
            await db.SaveChangesAsync();
            runId = run.Id;
        }
        string best = Write($"runs/{runId}/slt/best", CheckpointPhase.Slt, 40);
        string last = Write($"runs/{runId}/slt/last", CheckpointPhase.Slt, 50);
        string orphan = Write("runs/999/text/best", CheckpointPhase.Text, 7);
        string imported = Write("imported/mbart-trimmed", CheckpointPhase.MBart, 0);
        Directory.CreateDirectory(Path.Combine(CheckpointRoot, "runs", "5", "slt", ".tmp-best-123"));   // being written: skipped

        int found;
        await using (var db = _database.Create())
            found = await CheckpointCatalog.ScanAsync(db, CheckpointRoot);

        Assert.Equal(4, found);
        await using (var db = _database.Create())
        {
            var rows = await db.Checkpoints.ToDictionaryAsync(c => c.Path);
            Assert.Equal(("slt", 40L, true, (int?)runId), (rows[best].Phase, rows[best].Step, rows[best].IsBest, rows[best].RunId));
            Assert.Equal(("slt", 50L, false, (int?)runId), (rows[last].Phase, rows[last].Step, rows[last].IsBest, rows[last].RunId));
            Assert.Equal(("text", (int?)null), (rows[orphan].Phase, rows[orphan].RunId));
            Assert.Equal("mbart", rows[imported].Phase);
        }

        Directory.Delete(orphan, recursive: true);
        await using (var db = _database.Create())
            found = await CheckpointCatalog.ScanAsync(db, CheckpointRoot);

        Assert.Equal(3, found);
        await using (var db = _database.Create())
            Assert.False(await db.Checkpoints.AnyAsync(c => c.Path == orphan));
    }

    [Fact]
    public async Task ScanAsync_ImportedHuggingFaceFolder_KeptWhileItsConfigExists()
    {
        string hf = Path.Combine(CheckpointRoot, "..", "hf-mbart-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(hf);
        File.WriteAllText(Path.Combine(hf, "config.json"), "{\"d_model\": 8}");
        try
        {
            await using (var db = _database.Create())
            {
                db.Checkpoints.Add(new CheckpointEntity { Path = hf, Phase = "mbart", CreatedAt = DateTime.UtcNow });
                await db.SaveChangesAsync();
                await CheckpointCatalog.ScanAsync(db, CheckpointRoot);
            }
            await using (var db = _database.Create())
                Assert.True(await db.Checkpoints.AnyAsync(c => c.Path == hf));   // no checkpoint.json, still there

            File.Delete(Path.Combine(hf, "config.json"));
            await using (var db = _database.Create())
                await CheckpointCatalog.ScanAsync(db, CheckpointRoot);
            await using (var db = _database.Create())
                Assert.False(await db.Checkpoints.AnyAsync(c => c.Path == hf));
        }
        finally
        {
            Directory.Delete(hf, recursive: true);
        }
    }

    private string Write(string relative, CheckpointPhase phase, long step)
    {
        string folder = Path.Combine(CheckpointRoot, relative);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "model.safetensors"), new byte[16]);
        (CheckpointMetadata.Create(phase, new { d_model = 8 }) with { Step = step, CreatedUtc = DateTimeOffset.UtcNow }).Save(folder);
        return folder;
    }
}
