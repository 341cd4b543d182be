using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PhoenixSlt.Web.Data;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Services.Evaluation;

/// Registers a Hugging Face mBART folder (config.json, model.safetensors, sentencepiece.bpe.model — as
/// `phoenix-slt mbart trim` and the training phases read it) as a checkpoint of phase "mbart".
public sealed class MBartImport(IDbContextFactory<PhoenixDbContext> contexts, TimeProvider time)
{
    public const string Phase = "mbart";
    public static readonly IReadOnlyList<string> RequiredFiles = ["config.json", "model.safetensors", "sentencepiece.bpe.model"];

    /// Why <paramref name="path"/> is not an mBART folder, or null. Says which file is missing or broken and what
    /// to do.
    public static string? Problem(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
            return "Give the path of a Hugging Face mBART folder (with config.json, model.safetensors and sentencepiece.bpe.model).";
        if (!Path.IsPathFullyQualified(path.Trim()))
            return $"{path}: give the full path of the folder on the server.";
        string folder = Path.GetFullPath(path.Trim());
        if (File.Exists(folder))
            return $"{folder} is a file; give the folder that holds config.json, model.safetensors and sentencepiece.bpe.model.";
        if (!Directory.Exists(folder))
            return $"{folder}: folder not found on the server; download the model (e.g. facebook/mbart-large-cc25) and give its folder.";
        string[] missing = [.. RequiredFiles.Where(f => !File.Exists(Path.Combine(folder, f)))];
        if (missing.Length > 0)
            return $"{folder}: {string.Join(", ", missing)} missing; a Hugging Face mBART folder needs {string.Join(", ", RequiredFiles)} (convert a pytorch_model.bin to model.safetensors first).";
        string config = Path.Combine(folder, "config.json");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(config));
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("d_model", out _))
                return $"{config}: not an mBART config (no d_model); use the config.json of the model.";
        }
        catch (JsonException e)
        {
            return $"{config}: not valid JSON ({e.Message}); restore the file from the model download.";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{config}: cannot be read ({e.Message}); check the file's permissions.";
        }
        return null;
    }

    /// Adds (or refreshes) the checkpoint row of <paramref name="path"/>; throws <see cref="ArgumentException"/>
    /// with <see cref="Problem"/>'s message when it is not an mBART folder.
    public async Task<CheckpointInfo> ImportAsync(string? path, CancellationToken cancellationToken = default)
    {
        if (Problem(path) is string problem)
            throw new ArgumentException(problem, nameof(path));
        string folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path!.Trim()));
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await CheckpointCatalog.UpsertAsync(db, new CheckpointEntity
        {
            Path = folder,
            Phase = Phase,
            Step = 0,
            MetricsJson = "{}",
            CreatedAt = time.GetUtcNow().UtcDateTime,
            SizeBytes = CheckpointCatalog.FolderSize(folder),
        }, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return RunStore.ToInfo(row);
    }
}
