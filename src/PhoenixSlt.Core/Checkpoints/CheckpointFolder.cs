namespace PhoenixSlt.Core.Checkpoints;

/// The layout of a checkpoint folder and the atomic way to write one.
/// <code>
/// checkpoint.json              CheckpointMetadata (phase, model config, tokenizer file, step, metrics, …)
/// model.safetensors            model weights by state-dict name
/// sentencepiece.bpe.model      tokenizer: mBART SentencePiece model, or
/// tokenizer.json               tokenizer: corpus word vocabulary, or
/// sentencepiece.bpe.model + vocab_trim.json   trimmed mBART vocabulary
/// trainer_state.json           optional: TrainerState (step, epoch, position, seeds, scaler, scheduler, optimizer)
/// trainer_state.safetensors    optional: optimizer moments and RNG state tensors
/// </code>
public static class CheckpointFolder
{
    public const string MetadataFileName = CheckpointMetadata.FileName;
    public const string WeightsFileName = SafetensorsWeights.SingleFileName;
    public const string TrainerStateFileName = "trainer_state.json";
    public const string TrainerTensorsFileName = "trainer_state.safetensors";

    /// The folder names a training run writes in its output folder: the checkpoint of the best validation, and the
    /// latest checkpoint with the trainer state that `--resume` continues from.
    public const string Best = "best";
    public const string Last = "last";

    /// Prefix of the temporary folders used while writing (and deleting); listings skip them.
    public const string TemporaryPrefix = ".tmp-";

    /// True when <paramref name="folder"/> holds a checkpoint.json.
    public static bool IsCheckpoint(string folder)
        => Directory.Exists(folder) && File.Exists(Path.Combine(folder, MetadataFileName));

    /// True for folders this code uses while writing or deleting (never a finished checkpoint).
    public static bool IsTemporary(string folderName) => folderName.StartsWith(TemporaryPrefix, StringComparison.Ordinal);

    /// Fills a new temporary sibling of <paramref name="folder"/> with <paramref name="write"/> and then renames it
    /// into place, so that readers see either no folder or a complete one. An existing <paramref name="folder"/> is
    /// replaced only with <paramref name="overwrite"/> (else <see cref="CheckpointExistsException"/>); when
    /// <paramref name="write"/> throws, nothing is left behind and an existing folder is untouched.
    /// Returns the full path of the written folder.
    public static string WriteAtomically(string folder, Action<string> write, bool overwrite = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        string parent = Path.GetDirectoryName(full) ?? throw new ArgumentException($"{folder}: cannot write a checkpoint at a file-system root", nameof(folder));
        string leaf = Path.GetFileName(full);
        if (File.Exists(full))
            throw new CheckpointExistsException(full);
        if (Directory.Exists(full) && !overwrite)
            throw new CheckpointExistsException(full);
        Directory.CreateDirectory(parent);

        string temp = Path.Combine(parent, $"{TemporaryPrefix}{leaf}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            write(temp);
            if (Directory.Exists(full))
                Replace(full, temp, parent, leaf);
            else
                Directory.Move(temp, full);
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }
        return full;
    }

    /// Deletes <paramref name="folder"/> by first renaming it to a temporary name, so that a crash mid-way never
    /// leaves a half-deleted folder that still looks like a checkpoint.
    public static void DeleteAtomically(string folder)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        string parent = Path.GetDirectoryName(full)!;
        string doomed = Path.Combine(parent, $"{TemporaryPrefix}deleted-{Path.GetFileName(full)}-{Guid.NewGuid():N}");
        Directory.Move(full, doomed);
        Directory.Delete(doomed, recursive: true);
    }

    private static void Replace(string full, string temp, string parent, string leaf)
    {
        string old = Path.Combine(parent, $"{TemporaryPrefix}old-{leaf}-{Guid.NewGuid():N}");
        Directory.Move(full, old);
        try
        {
            Directory.Move(temp, full);
        }
        catch
        {
            Directory.Move(old, full);
            throw;
        }
        DeleteQuietly(old);
    }

    private static void DeleteQuietly(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary folder is skipped by listings; nothing else to do.
        }
    }
}
