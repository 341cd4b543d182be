namespace PhoenixSlt.Training.Specs;

/// The settings a new run starts from on a device: <see cref="RunSpec"/>'s own defaults, except on the CPU, where
/// a run of RunSpec's defaults (30 epochs, beam search with 5 beams at every validation) takes hours: there the
/// validation decodes greedily (<see cref="CpuBeams"/>) and the run trains <see cref="CpuEpochs"/> epochs, minutes
/// on the tiny preset. The New-run form starts from these and switches them when the device changes.
public static class RunSpecDefaults
{
    /// Validation beams of a new CPU run (greedy decoding).
    public const int CpuBeams = 1;

    /// Epochs of a new CPU run.
    public const int CpuEpochs = 2;

    /// A fresh spec with the defaults of <paramref name="device"/> (cpu, cuda, cuda:N; anything that is not a CUDA
    /// device counts as the CPU).
    public static RunSpec For(string? device)
    {
        string name = string.IsNullOrWhiteSpace(device) ? new RunSpec().Device : device.Trim();
        var spec = new RunSpec { Device = name };
        if (IsCpu(name))
        {
            spec.Beams = CpuBeams;
            spec.Epochs = CpuEpochs;
        }
        return spec;
    }

    public static bool IsCpu(string? device) => !(DeviceSelection.TryParseName(device, out var selection) && selection.IsCuda);

    /// <paramref name="spec"/> moved to <paramref name="device"/>: each device-dependent setting that still has the
    /// old device's default takes the new device's default; settings the user changed stay.
    public static RunSpec SwitchDevice(RunSpec spec, string device)
    {
        ArgumentNullException.ThrowIfNull(spec);
        RunSpec before = For(spec.Device), after = For(device);
        var moved = spec with { Device = after.Device };
        if (spec.Beams == before.Beams)
            moved.Beams = after.Beams;
        if (spec.Epochs == before.Epochs)
            moved.Epochs = after.Epochs;
        return moved;
    }
}
