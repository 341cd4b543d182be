namespace PhoenixSlt.Web.Services.Runs;

/// What a <see cref="RunRequest"/> is checked against besides its own values: the datasets under the data root,
/// whether a folder exists (init checkpoint, mBART folder), and the number of CUDA devices when known.
/// <param name="Datasets">Names of the datasets that can be trained on.</param>
/// <param name="FolderExists">True when the given absolute path is an existing folder.</param>
/// <param name="CudaDeviceCount">CUDA devices of this machine; null when unknown (device names are then only
/// checked for their spelling).</param>
public sealed record RunValidationContext(IReadOnlyCollection<string> Datasets, Func<string, bool> FolderExists, int? CudaDeviceCount = null)
{
    /// Every dataset name is accepted and every folder exists: checks the request's own values only.
    public static RunValidationContext ValuesOnly { get; } = new(Array.Empty<string>(), _ => true) { AnyDataset = true };

    /// Accept any dataset name (used by <see cref="ValuesOnly"/>).
    public bool AnyDataset { get; init; }
}

/// Field → messages: the problems of a request, keyed by <see cref="RunRequest"/> property name
/// (e.g. "BatchSize"). Empty when the request is valid.
public sealed class RunValidationResult(IReadOnlyDictionary<string, string[]> errors)
{
    public static RunValidationResult Valid { get; } = new(new Dictionary<string, string[]>());

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public bool IsValid => Errors.Count == 0;

    /// The messages for <paramref name="field"/> (a <see cref="RunRequest"/> property name), or none.
    public IReadOnlyList<string> For(string field) => Errors.TryGetValue(field, out var messages) ? messages : [];

    /// The first message for <paramref name="field"/>, or null (handy for MudBlazor's ErrorText).
    public string? FirstFor(string field) => Errors.TryGetValue(field, out var messages) && messages.Length > 0 ? messages[0] : null;
}
