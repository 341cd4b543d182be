using System.Globalization;

namespace PhoenixSlt.Web.Services.Runs;

/// Checks a <see cref="RunRequest"/> before it is queued: the same rules and messages for the New-run form and
/// POST /api/runs. Pure: everything outside the request comes from the <see cref="RunValidationContext"/>.
/// Messages say what is wrong and what to do.
public static class RunRequestValidator
{
    public static IReadOnlyList<string> Presets { get; } = ["tiny", "base"];
    public static IReadOnlyList<string> AmpModes { get; } = ["none", "bf16", "fp16"];

    public const int MaxNameLength = 100;
    public const int MaxBatchSize = 4096;
    public const int MaxAccumulate = 1024;
    public const int MaxWorldSize = 64;
    public const int MaxLoaderWorkers = 64;
    public const int MaxBeams = 32;
    public const int MaxFramesLimit = 65_536;

    /// Every problem of <paramref name="request"/>, by field.
    public static RunValidationResult Validate(RunRequest request, RunValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string? message)
        {
            if (message is null)
                return;
            if (!errors.TryGetValue(field, out var list))
                errors[field] = list = [];
            list.Add(message);
        }

        Add(nameof(RunRequest.Name), CheckName(request.Name));
        Add(nameof(RunRequest.Phase), CheckPhase(request.Phase));
        Add(nameof(RunRequest.Dataset), CheckDataset(request.Dataset, context));
        Add(nameof(RunRequest.Preset), CheckChoice("Preset", request.Preset, Presets));
        Add(nameof(RunRequest.Epochs), CheckPositive("Epochs", request.Epochs));
        Add(nameof(RunRequest.MaxSteps), CheckPositive("Max steps", request.MaxSteps));
        if (request.Epochs is null && request.MaxSteps is null)
            Add(nameof(RunRequest.Epochs), "Give the number of epochs or max steps (or both): training needs a budget.");
        Add(nameof(RunRequest.BatchSize), CheckRange("Batch size", request.BatchSize, 1, MaxBatchSize));
        Add(nameof(RunRequest.Accumulate), CheckRange("Accumulate", request.Accumulate, 1, MaxAccumulate));
        Add(nameof(RunRequest.LrEncoder), CheckLearningRate("Learning rate (encoder)", request.LrEncoder));
        Add(nameof(RunRequest.LrDecoder), CheckLearningRate("Learning rate (decoder)", request.LrDecoder));
        Add(nameof(RunRequest.Patience), CheckPositive("Patience", request.Patience));
        Add(nameof(RunRequest.MaxFrames), request.MaxFrames is int f ? CheckRange("Max frames", f, 1, MaxFramesLimit) : null);
        Add(nameof(RunRequest.Amp), CheckChoice("AMP", request.Amp, AmpModes));
        Add(nameof(RunRequest.Device), CheckDevice(request.Device, request.WorldSize, context.CudaDeviceCount));
        Add(nameof(RunRequest.WorldSize), CheckRange("World size", request.WorldSize, 1, MaxWorldSize));
        Add(nameof(RunRequest.LoaderWorkers), request.LoaderWorkers is int w ? CheckRange("Loader workers", w, 0, MaxLoaderWorkers) : null);
        Add(nameof(RunRequest.EvalEvery), CheckPositive("Eval every", request.EvalEvery));
        Add(nameof(RunRequest.SaveEvery), CheckPositive("Save every", request.SaveEvery));
        Add(nameof(RunRequest.LogEvery), CheckRange("Log every", request.LogEvery, 1, int.MaxValue));
        Add(nameof(RunRequest.Beams), CheckRange("Beams", request.Beams, 1, MaxBeams));
        Add(nameof(RunRequest.InitCheckpoint), CheckInit(request.Phase, request.InitCheckpoint, context));
        Add(nameof(RunRequest.MBartFolder), CheckFolder("mBART folder", request.MBartFolder, context,
            "a Hugging Face mBART folder (config.json, model.safetensors, sentencepiece.bpe.model) or a text-phase checkpoint"));

        return errors.Count == 0
            ? RunValidationResult.Valid
            : new RunValidationResult(errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
    }

    /// The first problem of one field (a <see cref="RunRequest"/> property name), or null: for per-field form validation.
    public static string? ValidateField(RunRequest request, string field, RunValidationContext context)
        => Validate(request, context).FirstFor(field);

    private static string? CheckName(string? name)
        => name is not null && name.Trim().Length > MaxNameLength
            ? $"Name has {name.Trim().Length} characters; keep it to at most {MaxNameLength}."
            : null;

    private static string? CheckPhase(string? phase)
        => RunPhases.IsKnown(phase) ? null : $"Phase '{phase}' is not known; choose one of {string.Join(", ", RunPhases.All)}.";

    private static string? CheckDataset(string? dataset, RunValidationContext context)
    {
        if (string.IsNullOrWhiteSpace(dataset))
            return "Choose a dataset (a folder under the data root with annotations/, kpts/ and siglip_vitb16/).";
        if (context.AnyDataset || context.Datasets.Contains(dataset, StringComparer.Ordinal))
            return null;
        return context.Datasets.Count == 0
            ? $"Dataset '{dataset}' not found: the data root holds no dataset yet; add one (or let the portal generate the synthetic one) and try again."
            : $"Dataset '{dataset}' not found under the data root; choose one of {string.Join(", ", context.Datasets)}.";
    }

    private static string? CheckChoice(string label, string? value, IReadOnlyList<string> allowed)
        => value is not null && allowed.Contains(value, StringComparer.Ordinal)
            ? null
            : $"{label} '{value}' is not known; choose one of {string.Join(", ", allowed)}.";

    private static string? CheckPositive(string label, long? value)
        => value is long v && v < 1 ? $"{label} must be at least 1 (got {v}); leave it empty for the default." : null;

    private static string? CheckRange(string label, long value, long min, long max)
        => value < min || value > max
            ? max == int.MaxValue
                ? $"{label} must be at least {min} (got {value})."
                : $"{label} must be between {min} and {max} (got {value})."
            : null;

    private static string? CheckLearningRate(string label, double? value)
        => value is double v && !(double.IsFinite(v) && v > 0 && v <= 1)
            ? $"{label} must be a number above 0 and at most 1 (got {v.ToString(CultureInfo.InvariantCulture)}), e.g. 1e-4; leave it empty for the default."
            : null;

    private static string? CheckDevice(string? device, int worldSize, int? cudaDeviceCount)
    {
        if (!TryParseDevice(device, out bool isCuda, out int first))
            return $"Device '{device}' is not a device; use cpu, cuda or cuda:N (N = 0, 1, …).";
        if (!isCuda || cudaDeviceCount is not int count)
            return null;
        if (count == 0)
            return $"Device '{device}': this machine has no CUDA device the portal can use; choose cpu.";
        int last = first + Math.Max(1, worldSize) - 1;
        if (last >= count)
            return worldSize > 1
                ? $"Device '{device}' with world size {worldSize} needs cuda:{first} … cuda:{last}, but this machine has {count} CUDA device(s) (cuda:0 … cuda:{count - 1}); lower the world size or the first device."
                : $"Device '{device}' does not exist: this machine has {count} CUDA device(s) (cuda:0 … cuda:{count - 1}).";
        return null;
    }

    /// Parses cpu, cuda or cuda:N (case-insensitive, as the CLI does).
    public static bool TryParseDevice(string? device, out bool isCuda, out int index)
    {
        isCuda = false;
        index = 0;
        string value = device?.Trim().ToLowerInvariant() ?? "";
        if (value == "cpu")
            return true;
        if (value == "cuda")
        {
            isCuda = true;
            return true;
        }
        if (value.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out index))
        {
            isCuda = true;
            return true;
        }
        index = 0;
        return false;
    }

    private static string? CheckInit(string? phase, string? init, RunValidationContext context)
    {
        if (string.IsNullOrWhiteSpace(init))
            return null;
        if (phase == RunPhases.Pipeline)
            return "The pipeline chains its own checkpoints (text → vlp → slt); leave the init checkpoint empty, or give a pretrained mBART folder instead.";
        return CheckFolder("Init checkpoint", init, context, "a checkpoint folder (with checkpoint.json), e.g. the best/ folder of an earlier run");
    }

    private static string? CheckFolder(string label, string? folder, RunValidationContext context, string expected)
    {
        if (string.IsNullOrWhiteSpace(folder))
            return null;
        if (!Path.IsPathRooted(folder))
            return $"{label} '{folder}' must be an absolute path; give {expected}.";
        return context.FolderExists(folder) ? null : $"{label} '{folder}': folder not found; give {expected}.";
    }
}
