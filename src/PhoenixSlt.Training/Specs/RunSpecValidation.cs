using System.Globalization;

namespace PhoenixSlt.Training.Specs;

/// The one validation of a <see cref="RunSpec"/>: each field's own limits (from its attribute), then the rules
/// between fields and against the <see cref="SpecContext"/>. Messages name the field, the value and what is
/// allowed; the command line, POST /api/runs and the New-run form show them unchanged.
public static class RunSpecValidation
{
    /// Every problem of <paramref name="spec"/>, by field.
    public static SpecProblems Validate(this RunSpec spec, SpecContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        context ??= SpecContext.CommandLine;
        var problems = new SpecProblems.Builder();
        foreach (var field in RunSpecFields.All)
            problems.Add(field.Name, field.Check(field.Get(spec)));

        problems.Add("data", CheckData(spec.Data, context));
        problems.Add("out", CheckOut(spec.Out, context));
        problems.Add("device", CheckDevice(spec.Device, spec.WorldSize, context.CudaDeviceCount));
        problems.Add("init", CheckInit(spec, context));
        problems.Add("mbart", CheckFolder("mbart", spec.Mbart, context,
            "a Hugging Face mBART folder (config.json, model.safetensors, sentencepiece.bpe.model) or a text-phase checkpoint"));
        return problems.Build();
    }

    private static string? CheckData(string? data, SpecContext context)
    {
        if (string.IsNullOrWhiteSpace(data))
            return context.Datasets is null
                ? "data is empty; give a dataset root with annotations/, kpts/ and siglip_vitb16/ (`phoenix-slt synth` writes one)."
                : "data is empty; choose a dataset (a folder under the data root with annotations/, kpts/ and siglip_vitb16/).";
        if (context.AnyDataset)
            return null;
        if (context.Datasets is { } datasets)
        {
            if (datasets.Contains(data, StringComparer.Ordinal))
                return null;
            return datasets.Count == 0
                ? $"data '{data}' is not a dataset: the data root holds no dataset yet; add one (or let the portal generate the synthetic one) and try again."
                : $"data '{data}' is not a dataset under the data root; allowed: {string.Join(", ", datasets)}.";
        }
        return context.FolderExists(data)
            ? null
            : $"data '{data}': folder not found; give a dataset root with annotations/, kpts/ and siglip_vitb16/ (`phoenix-slt synth` writes one).";
    }

    private static string? CheckOut(string? output, SpecContext context)
    {
        if (context.OutAssigned)
            return null;
        if (string.IsNullOrWhiteSpace(output))
            return "out is empty; give a folder for the best/ and last/ checkpoints.";
        return context.FileExists(output) ? $"out '{output}' is a file; give a folder for the checkpoints." : null;
    }

    private static string? CheckDevice(string? device, int worldSize, int? cudaDeviceCount)
    {
        if (!DeviceSelection.TryParseName(device, out var first))
            return $"device '{device}' is not a device; allowed: cpu, cuda or cuda:N (N = 0, 1, …).";
        if (!first.IsCuda || cudaDeviceCount is not int count)
            return null;
        if (count == 0)
            return $"device '{device}': this machine has no CUDA device that can be used; allowed: cpu.";
        int last = first.Index + Math.Max(1, worldSize) - 1;
        if (last < count)
            return null;
        string devices = $"{count.ToString(CultureInfo.InvariantCulture)} CUDA device(s) (cuda:0 … cuda:{(count - 1).ToString(CultureInfo.InvariantCulture)})";
        return worldSize > 1
            ? $"device '{device}' with world_size {worldSize} needs cuda:{first.Index} … cuda:{last}, but this machine has {devices}; lower world_size or the first device."
            : $"device '{device}' does not exist: this machine has {devices}.";
    }

    private static string? CheckInit(RunSpec spec, SpecContext context)
    {
        if (string.IsNullOrWhiteSpace(spec.Init))
            return null;
        if (spec.Phase == TrainingPhaseNames.Pipeline)
            return $"init '{spec.Init}' cannot be used with the pipeline, which chains its own checkpoints (text → vlp → slt); leave init empty, or give a pretrained mBART folder as mbart.";
        return CheckFolder("init", spec.Init, context, "a checkpoint folder (with checkpoint.json), e.g. the best/ folder of an earlier run");
    }

    private static string? CheckFolder(string field, string? folder, SpecContext context, string expected)
    {
        if (string.IsNullOrWhiteSpace(folder))
            return null;
        if (context.AbsolutePathsOnly && !Path.IsPathRooted(folder))
            return $"{field} '{folder}' is not an absolute path; give {expected}.";
        return context.FolderExists(folder) ? null : $"{field} '{folder}': folder not found; give {expected}.";
    }
}
