using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Training;

namespace PhoenixSlt.Web.Components.Pages.Runs;

/// A folder offered by the New-run form's pickers: its path and what it is.
public sealed record FolderChoice(string Path, string Description);

/// Which checkpoint folders fit the New-run form's two pickers (`phoenix-slt train --init` and `--mbart`).
public static class CheckpointChoices
{
    /// Files that make a folder a Hugging Face mBART folder.
    public static IReadOnlyList<string> MBartFolderFiles { get; } = ["config.json", "sentencepiece.bpe.model"];

    /// Checkpoint phases `--init` accepts for a phase: text → text; text or vlp → vlp; vlp or slt → slt.
    /// The pipeline chains its own stages and takes none.
    public static IReadOnlyList<string> InitPhasesFor(string phase) => phase switch
    {
        TrainingPhaseNames.Text => [TrainingPhaseNames.Text],
        TrainingPhaseNames.Vlp => [TrainingPhaseNames.Text, TrainingPhaseNames.Vlp],
        TrainingPhaseNames.Slt => [TrainingPhaseNames.Vlp, TrainingPhaseNames.Slt],
        _ => [],
    };

    /// Checkpoints to start <paramref name="phase"/> from, best folders first, then newest first.
    public static IReadOnlyList<FolderChoice> InitChoices(IEnumerable<CheckpointInfo> checkpoints, string phase)
    {
        IReadOnlyList<string> phases = InitPhasesFor(phase);
        return [.. checkpoints.Where(c => phases.Contains(c.Phase))
            .OrderByDescending(c => c.IsBest).ThenByDescending(c => c.CreatedAt)
            .Select(Describe)];
    }

    /// Pretrained mBART choices: Hugging Face folders found on disk, then mbart and text checkpoints (best first).
    public static IReadOnlyList<FolderChoice> MBartChoices(IEnumerable<CheckpointInfo> checkpoints, IEnumerable<string> huggingFaceFolders)
    {
        var choices = huggingFaceFolders.Select(f => new FolderChoice(f, "Hugging Face mBART folder")).ToList();
        foreach (CheckpointInfo checkpoint in checkpoints.Where(c => c.Phase is "mbart" or TrainingPhaseNames.Text)
                     .OrderByDescending(c => c.IsBest).ThenByDescending(c => c.CreatedAt))
            if (!choices.Exists(c => string.Equals(c.Path, checkpoint.Path, StringComparison.Ordinal)))
                choices.Add(Describe(checkpoint));
        return choices;
    }

    /// Folders at most <paramref name="maxDepth"/> levels under <paramref name="root"/> holding a Hugging Face mBART
    /// (config.json and sentencepiece.bpe.model), in path order; unreadable folders are skipped.
    public static IReadOnlyList<string> FindMBartFolders(string root, int maxDepth = 3)
    {
        var found = new List<string>();
        Visit(root, 0);
        return [.. found.Order(StringComparer.Ordinal)];

        void Visit(string dir, int depth)
        {
            if (!Directory.Exists(dir))
                return;
            if (MBartFolderFiles.All(f => File.Exists(Path.Combine(dir, f))))
                found.Add(dir);
            if (depth == maxDepth)
                return;
            IEnumerable<string> children;
            try
            {
                children = [.. Directory.EnumerateDirectories(dir)];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return;
            }
            foreach (string child in children)
                if (!Path.GetFileName(child).StartsWith('.'))
                    Visit(child, depth + 1);
        }
    }

    private static FolderChoice Describe(CheckpointInfo checkpoint)
    {
        string metrics = string.Join(", ", checkpoint.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal)
            .Where(m => m.Key is MetricNames.Bleu4 or MetricNames.ValLoss)
            .Select(m => $"{m.Key} {Shared.DisplayFormat.Metric(m.Value)}"));
        string run = checkpoint.RunId is int id ? $"run {id}, " : "";
        return new FolderChoice(checkpoint.Path,
            $"{checkpoint.Phase} checkpoint ({run}step {checkpoint.Step}{(checkpoint.IsBest ? ", best" : "")}{(metrics.Length > 0 ? ", " + metrics : "")})");
    }
}
