namespace PhoenixSlt.Training.Specs;

/// One `train` phase of a run: its own complete spec (phase, out, init and mbart wired), the folder it writes and
/// its JSON-lines event file.
public sealed record PipelineStage(string Phase, RunSpec Spec, string EventsFile)
{
    public string OutDir => Spec.Out!;
}

/// The one plan of a run's stages, used by `phoenix-slt train` and the portal: a single phase is one stage in
/// OUT; the pipeline is text (OUT/text, from mbart when given, text_epochs epochs when given) → vlp (OUT/vlp,
/// mbart = OUT/text/best) → slt (OUT/slt, init = OUT/vlp/best, mbart = OUT/text/best).
public static class PipelinePlan
{
    public const string EventsFileName = "events.jsonl";

    /// The stages of <paramref name="spec"/> (which must have out).
    public static IReadOnlyList<PipelineStage> Stages(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrWhiteSpace(spec.Out))
            throw new ArgumentException("the spec has no out folder to plan its stages in", nameof(spec));
        string root = spec.Out.Trim();
        if (spec.Phase != TrainingPhaseNames.Pipeline)
            return [Stage(spec.Phase, spec with { Out = root })];

        string Out(string phase) => Path.Combine(root, phase);
        string textBest = Path.Combine(Out(TrainingPhaseNames.Text), TrainerOptions.BestFolder);
        string vlpBest = Path.Combine(Out(TrainingPhaseNames.Vlp), TrainerOptions.BestFolder);
        return
        [
            Stage(TrainingPhaseNames.Text, spec with { Phase = TrainingPhaseNames.Text, Out = Out(TrainingPhaseNames.Text), Init = null, Epochs = spec.EffectiveTextEpochs }),
            Stage(TrainingPhaseNames.Vlp, spec with { Phase = TrainingPhaseNames.Vlp, Out = Out(TrainingPhaseNames.Vlp), Init = null, Mbart = textBest }),
            Stage(TrainingPhaseNames.Slt, spec with { Phase = TrainingPhaseNames.Slt, Out = Out(TrainingPhaseNames.Slt), Init = vlpBest, Mbart = textBest }),
        ];
    }

    /// The out folder the portal gives a run in <paramref name="runFolder"/>: the run folder for the pipeline (one
    /// subfolder per stage), RUN/&lt;phase&gt; for a single phase.
    public static string RunOut(string runFolder, string kind)
        => kind == TrainingPhaseNames.Pipeline ? runFolder : Path.Combine(runFolder, kind);

    private static PipelineStage Stage(string phase, RunSpec spec) => new(phase, spec, Path.Combine(spec.Out!, EventsFileName));
}
