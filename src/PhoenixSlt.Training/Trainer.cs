using System.Diagnostics;
using System.Text.Json.Nodes;
using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Training.Amp;
using PhoenixSlt.Training.Distributed;
using PhoenixSlt.Training.Events;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Training;

/// The training loop shared by every phase (nanoGPT discipline): AdamW with explicit weight decay and parameter
/// groups, warmup + cosine schedule on every group, gradient accumulation (each micro-batch loss divided by the
/// micro-batches of its step), global-norm clipping, one dispose scope per step, .item() only at log intervals,
/// validation with early stopping, best and last checkpoints.
/// <para>Data parallelism: every rank runs this loop on its shard (<see cref="ITrainingTask.EpochBatches"/>); the
/// parameters are broadcast from rank 0 at the start, gradients are averaged by the
/// <see cref="IGradientSynchronizer"/> before clipping, dropout draws from seed + rank, and only rank 0 reports
/// events and writes checkpoints.</para>
public sealed class Trainer
{
    private readonly ITrainingTask _task;
    private readonly TrainerOptions _options;
    private readonly IProcessGroup _group;
    private readonly IProgressSink _sink;
    private readonly IGradientSynchronizer _synchronizer;

    public Trainer(ITrainingTask task, TrainerOptions options, IProcessGroup? group = null, IProgressSink? sink = null,
        IGradientSynchronizer? synchronizer = null)
    {
        _task = task ?? throw new ArgumentNullException(nameof(task));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _group = group ?? new SingleProcessGroup(task.Device);
        _sink = sink ?? NullProgressSink.Instance;
        _synchronizer = synchronizer ?? new BucketedGradientSynchronizer(_group);
    }

    private bool IsMain => _group.Rank == 0;

    /// Trains until the step budget is spent or patience runs out. A failure (or cancellation) is reported as a
    /// failed event and rethrown.
    public TrainingResult Run(CancellationToken cancellationToken = default)
    {
        try
        {
            return new RunState(this, cancellationToken).Execute();
        }
        catch (OperationCanceledException)
        {
            Report(new FailedEvent("cancelled"));
            throw;
        }
        catch (Exception e)
        {
            Report(new FailedEvent(e.Message));
            throw;
        }
    }

    private void Report(ProgressEvent progressEvent)
    {
        if (IsMain)
            _sink.Report(progressEvent);
    }

    /// The state of one call to <see cref="Run"/>.
    private sealed class RunState(Trainer trainer, CancellationToken cancellationToken) : IDisposable
    {
        private readonly ITrainingTask _task = trainer._task;
        private readonly TrainerOptions _options = trainer._options;
        private readonly IProcessGroup _group = trainer._group;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly GradScaler _scaler = trainer._options.Amp.CreateGradScaler(trainer._options.GradScaler);
        private AdamW? _optimizer;
        private IReadOnlyList<OptimizerGroup> _groups = [];
        private List<Parameter> _parameters = [];
        private LearningRateSchedule? _schedule;
        private EarlyStoppingMonitor? _monitor;
        private Tensor? _lossSinceLog;
        private long _step;
        private int _epoch;
        private long _batchInEpoch;
        private long _stepsSinceLog;
        private long _samplesSinceLog;
        private double _lastLogSeconds;
        private long _lastEvalStep = -1;
        private ValidationResult? _lastValidation;
        private IReadOnlyDictionary<string, double> _bestMetrics = new Dictionary<string, double>();
        private string? _bestCheckpoint;
        private string? _lastCheckpoint;
        private long _total;
        private long _validationPeriod = 1;
        private long _stepsTrainedHere;
        private double _loopStartSeconds;
        private double _validationSeconds;
        private double _validationSecondsAtLastLog;
        private double? _lastValidationSeconds;

        public TrainingResult Execute()
        {
            using (this)
            {
                var model = _task.Model;
                if (_group.WorldSize > 1)
                    GradientBucketer.BroadcastParameters(_group, model, 0, cancellationToken);
                manual_seed(_options.Seed + _group.Rank); // dropout differs between ranks, shuffling does not
                var groups = _task.ParameterGroups();
                (_optimizer, _groups) = OptimizerFactory.CreateAdamW(groups, _options);
                _parameters = groups.SelectMany(g => g.Parameters).ToList();

                var firstEpoch = _task.EpochBatches(0, _group.Rank, _group.WorldSize);
                if (firstEpoch.Count == 0)
                    throw new TrainingConfigurationException("the training split gives no batch; it needs at least one sample");
                long total = _options.TotalSteps(firstEpoch.Count);
                _total = total;
                _validationPeriod = _options.EvalEverySteps ?? (firstEpoch.Count + _options.Accumulate - 1) / _options.Accumulate;
                _schedule = new LearningRateSchedule(_options.WarmupSteps ?? LearningRateSchedule.DefaultWarmup(total), total, _options.MinLearningRateRatio);
                _monitor = new EarlyStoppingMonitor(_task.Goal.Name, _task.Goal.HigherIsBetter, _options.Patience);
                using var resumed = _options.ResumeFrom is null ? null : Resume(_options.ResumeFrom);
                long skipBatches = _batchInEpoch;                       // of the resumed epoch, already trained
                if (_group.Rank == 0)                                   // only rank 0's generator is saved; the
                    resumed?.RestoreRandomState();                      // others keep seed + rank (not exact)
                trainer.Report(new RunStartedEvent(_task.Phase.ToName(), _task.DescribeConfig(), _group.WorldSize, _task.Device.ToString(), total));
                _loopStartSeconds = _clock.Elapsed.TotalSeconds;

                bool stopped = false;
                for (; _step < total && !stopped; _epoch++)
                {
                    var batches = _epoch == 0 ? firstEpoch : _task.EpochBatches(_epoch, _group.Rank, _group.WorldSize);
                    int first = (int)Math.Min(skipBatches, batches.Count);
                    skipBatches = 0;
                    for (int start = first; start < batches.Count && _step < total && !stopped; start += _options.Accumulate)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var microBatches = batches.Skip(start).Take(_options.Accumulate).ToList();
                        TrainStep(microBatches);
                        _batchInEpoch = start + microBatches.Count;
                        if (_step % _options.LogEvery == 0 || _step == total)
                            ReportStep();
                        if (_options.EvalEverySteps is long every && _step % every == 0)
                            stopped = Evaluate();
                        if (_options.SaveEverySteps is long save && _step % save == 0 && _lastEvalStep != _step && _options.CheckpointDir is not null)
                            SaveLast(_lastValidation?.Metrics ?? new Dictionary<string, double>());
                    }
                    if (!stopped && _options.EvalEverySteps is null && _lastEvalStep != _step)
                        stopped = Evaluate();
                    if (!stopped)
                        _batchInEpoch = 0;
                }
                _epoch = Math.Max(0, _epoch - 1);
                if (!stopped && _lastEvalStep != _step)
                    stopped = Evaluate();

                trainer.Report(new FinishedEvent(_bestCheckpoint, ProgressEventJson.FiniteOnly(_bestMetrics))
                {
                    Step = _step,
                    ElapsedS = _clock.Elapsed.TotalSeconds,
                });
                return new TrainingResult(_step, _epoch + 1, _monitor.Best, _bestCheckpoint, _lastCheckpoint, _bestMetrics, _lastValidation, stopped);
            }
        }

        /// Restores the state of <paramref name="folder"/> (a last/ checkpoint) into the model, the optimizer, the
        /// loss scaler, early stopping and the loop counters; the caller restores the random state from the returned
        /// checkpoint right before training. <see cref="TrainingConfigurationException"/> when the folder cannot
        /// continue this run.
        private TrainerCheckpoint Resume(string folder)
        {
            if (!TrainerCheckpoint.Exists(folder))
                throw new TrainingConfigurationException(
                    $"--resume: {folder} holds no {CheckpointFolder.TrainerStateFileName}; a run writes it into OUT/{CheckpointFolder.Last} at each validation (and every --save-every steps). Start a new run instead");
            var metadata = CheckpointMetadata.Load(folder);
            var phase = _task.Phase.ToCheckpointPhase();
            if (metadata.Phase != phase)
                throw new TrainingConfigurationException(
                    $"--resume: {folder} was written by the {metadata.Phase.ToString().ToLowerInvariant()} phase but this run trains {_task.Phase.ToName()}; resume with the same phase");
            var expected = _task.CreateCheckpoint(new CheckpointRequest(0, 0, new Dictionary<string, double>(), null)).Metadata.ModelConfig;
            if (!JsonNode.DeepEquals(JsonNode.Parse(expected.GetRawText()), JsonNode.Parse(metadata.ModelConfig.GetRawText())))
                throw new TrainingConfigurationException(
                    $"--resume: the model configuration of this run differs from the one saved in {folder} (another --preset, --dropout, --init or --mbart?); resume with the settings of the saved run");
            var checkpoint = TrainerCheckpoint.Load(folder, _task.Device)!;
            try
            {
                var state = checkpoint.State;
                CheckSame(folder, "--seed", state.Seed, _options.Seed);
                CheckSame(folder, "--accumulate", Extra(state, "accumulate") ?? _options.Accumulate, _options.Accumulate);
                CheckSame(folder, "--world-size", Extra(state, "world_size") ?? _group.WorldSize, _group.WorldSize);
                ModelWeights.Load(_task.Model, folder);
                if (_options.ResumeOptimizerState)
                    checkpoint.RestoreOptimizer(_optimizer!, _task.Model.named_parameters());
                if (state.Scaler is { } scaler && _scaler.IsEnabled)
                    _scaler.LoadState(new Amp.GradScalerState(scaler.Scale, scaler.GrowthTracker, _scaler.Options with
                    {
                        GrowthFactor = scaler.GrowthFactor,
                        BackoffFactor = scaler.BackoffFactor,
                        GrowthInterval = scaler.GrowthInterval,
                    }));
                _monitor!.Restore(metadata.BestMetric, (int)(Extra(state, "evaluations_without_improvement") ?? 0));
                _step = state.Step;
                _epoch = state.Epoch;
                _batchInEpoch = state.BatchInEpoch;
                _lastEvalStep = (long)(Extra(state, "last_eval_step") ?? state.Step);
                _lastCheckpoint = Path.GetFullPath(folder);
                string best = Path.Combine(_options.CheckpointDir ?? Path.GetDirectoryName(Path.GetFullPath(folder))!, CheckpointFolder.Best);
                if (CheckpointFolder.IsCheckpoint(best))
                {
                    _bestCheckpoint = Path.GetFullPath(best);
                    _bestMetrics = CheckpointMetadata.Load(best).Metrics;
                }
                return checkpoint;
            }
            catch
            {
                checkpoint.Dispose();
                throw;
            }
        }

        private static double? Extra(TrainerState state, string name) => state.Extra.TryGetValue(name, out double value) ? value : null;

        private static void CheckSame(string folder, string option, double saved, double now)
        {
            if (saved != now)
                throw new TrainingConfigurationException(
                    $"--resume: {option} {now} differs from the run saved in {folder} ({saved}); resume with the same settings for an exact continuation");
        }

        /// One optimizer step over the micro-batches of an accumulation group.
        private void TrainStep(IReadOnlyList<int[]> microBatches)
        {
            using var scope = NewDisposeScope();
            _task.Model.train();
            _optimizer!.zero_grad();
            int count = microBatches.Count;
            Tensor? stepLoss = null;
            foreach (int[] batch in microBatches)
            {
                using var microScope = NewDisposeScope();
                Tensor loss;
                using (_options.Amp.Autocast())
                    loss = _task.Loss(batch, _epoch);
                _scaler.Scale(loss / count).backward();
                using (no_grad())
                {
                    Tensor share = loss.detach() / count;
                    if (stepLoss is null)
                        stepLoss = share.MoveToOuterDisposeScope();
                    else
                        stepLoss.add_(share);
                }
                _samplesSinceLog += batch.Length;
            }
            trainer._synchronizer.Synchronize(_parameters, cancellationToken);   // before unscaling: an inf on any rank reaches all
            bool finite = _scaler.Unscale(_parameters);
            if (finite && _options.MaxGradNorm is double maxNorm)
                GradientClipping.ClipGlobalNorm(_parameters, maxNorm);
            OptimizerFactory.SetLearningRates(_groups, _schedule!.At(_step));
            _scaler.Step(_optimizer);                                             // skipped (fp16) when a gradient is inf/NaN
            _scaler.Update();
            using (no_grad())
            {
                _lossSinceLog ??= zeros_like(stepLoss!).DetachFromDisposeScope();
                _lossSinceLog.add_(stepLoss!);
            }
            _step++;
            _stepsSinceLog++;
            _stepsTrainedHere++;
        }

        /// Training time per optimizer step in this process (validations and checkpoints excluded); null before the first step.
        private double? SecondsPerStep()
            => _stepsTrainedHere == 0 ? null
                : Math.Max(0, _clock.Elapsed.TotalSeconds - _loopStartSeconds - _validationSeconds) / _stepsTrainedHere;

        /// <see cref="TrainingEta"/> now; <paramref name="validation"/>: the rest of a validation in progress (null: none runs).
        private double? Eta(double? validation)
        {
            // A validation due at this step is still to come until it starts; while it runs it is the one in progress.
            long from = validation is null && _lastEvalStep != _step ? Math.Max(0, _step - 1) : _step;
            long validationsLeft = TrainingEta.RemainingValidations(from, _total, _validationPeriod);
            return TrainingEta.Seconds(_total - _step, SecondsPerStep(), validationsLeft, _lastValidationSeconds, validation ?? 0);
        }

        private void ReportStep()
        {
            double localLoss = _lossSinceLog is null ? double.NaN : _lossSinceLog.item<float>() / Math.Max(1, _stepsSinceLog);
            double loss = _group.WorldSize > 1 ? _group.AllReduceScalar(localLoss, ReduceOp.Avg, cancellationToken) : localLoss;
            double now = _clock.Elapsed.TotalSeconds;
            double interval = Math.Max(now - _lastLogSeconds - (_validationSeconds - _validationSecondsAtLastLog), 1e-9);   // validations excluded
            double samplesPerSecond = _samplesSinceLog * (double)_group.WorldSize / interval;
            double? eta = Eta(validation: null);
            trainer.Report(new StepEvent(_step, _epoch, ProgressEventJson.Finite(loss),
                OptimizerFactory.LearningRates(_groups), samplesPerSecond, eta));
            _lossSinceLog?.zero_();
            _stepsSinceLog = 0;
            _samplesSinceLog = 0;
            _lastLogSeconds = now;
            _validationSecondsAtLastLog = _validationSeconds;
        }

        /// Validates, updates early stopping, writes checkpoints; true when training must stop.
        private bool Evaluate()
        {
            _lastEvalStep = _step;
            double started = _clock.Elapsed.TotalSeconds;
            ValidationResult result;
            _task.Model.eval();
            try
            {
                using var noGrad = no_grad();
                using var scope = NewDisposeScope();
                using var amp = _options.Amp.Autocast();
                result = _task.Validate(_group, new ValidationProgressReporter(this, started), cancellationToken);
            }
            finally
            {
                _task.Model.train();
            }
            try
            {
                return AfterValidation(result);
            }
            finally
            {
                double seconds = _clock.Elapsed.TotalSeconds - started;   // with the checkpoints it wrote
                _validationSeconds += seconds;
                _lastValidationSeconds = seconds;
            }
        }

        /// Turns a validation's clip counts into throttled <see cref="ValidationProgressEvent"/>s (rank 0 reports).
        private sealed class ValidationProgressReporter(RunState state, double startedSeconds) : IProgress<ValidationCount>
        {
            private readonly ProgressThrottle _throttle = new(state._options.ValidationProgressInterval);

            public void Report(ValidationCount value) => state.ReportValidation(value, startedSeconds, _throttle);
        }

        private void ReportValidation(ValidationCount value, double startedSeconds, ProgressThrottle throttle)
        {
            double elapsed = _clock.Elapsed.TotalSeconds - startedSeconds;
            if (!trainer.IsMain || !throttle.ShouldReport(TimeSpan.FromSeconds(elapsed), value.Done, value.Total))
                return;
            double rest = TrainingEta.RestOfValidation(elapsed, value.Done, value.Total, _lastValidationSeconds);
            trainer.Report(new ValidationProgressEvent(_task.Phase.ToName(), _step, _epoch, value.Done, value.Total, elapsed, Eta(rest)));
        }

        /// Early stopping, the eval event and the checkpoints of a finished validation; true when training must stop.
        private bool AfterValidation(ValidationResult result)
        {
            _lastValidation = result;
            var decision = _monitor!.Update(result[_monitor.Metric], _step);
            if (decision.IsBest)
                _bestMetrics = result.Metrics;
            trainer.Report(EvalEventOf(result));
            if (_options.CheckpointDir is not null)
                WriteCheckpoints(result, decision.IsBest);
            if (decision.ShouldStop)
            {
                var best = _monitor.Best;
                trainer.Report(new EarlyStopEvent(_step, best is null ? null : new BestValue(best.Name, best.Value, best.Step, best.HigherIsBetter)));
            }
            return decision.ShouldStop;
        }

        private EvalEvent EvalEventOf(ValidationResult result)
        {
            double? Value(string name) => result.Metrics.TryGetValue(name, out double v) ? ProgressEventJson.Finite(v) : null;
            return new EvalEvent
            {
                Step = _step,
                Epoch = _epoch,
                ValLoss = Value(MetricNames.ValLoss),
                Bleu1 = Value(MetricNames.Bleu1),
                Bleu2 = Value(MetricNames.Bleu2),
                Bleu3 = Value(MetricNames.Bleu3),
                Bleu4 = Value(MetricNames.Bleu4),
                RougeL = Value(MetricNames.RougeL),
                Chrf = Value(MetricNames.Chrf),
                Metrics = ProgressEventJson.FiniteOnly(result.Metrics),
                Samples = result.Samples,
            };
        }

        /// Rank 0 writes best (when improved; weights only) and last (with the trainer state for resuming).
        private void WriteCheckpoints(ValidationResult result, bool isBest)
        {
            if (_group.Rank != 0)
                return;
            var store = new CheckpointStore(_options.CheckpointDir!);
            var request = new CheckpointRequest(_step, _epoch, result.Metrics, _monitor!.Best);
            if (isBest)
            {
                _bestCheckpoint = store.Save(CheckpointFolder.Best, WithParent(_task.CreateCheckpoint(request)), overwrite: true);
                trainer.Report(new CheckpointEvent(_bestCheckpoint, ProgressEventJson.FiniteOnly(result.Metrics), true));
            }
            SaveLast(result.Metrics);
        }

        /// Rank 0 writes last/: the weights with the trainer state for resuming (metrics: the latest validation's).
        private void SaveLast(IReadOnlyDictionary<string, double> metrics)
        {
            if (_group.Rank != 0)
                return;
            var store = new CheckpointStore(_options.CheckpointDir!);
            var request = new CheckpointRequest(_step, _epoch, metrics, _monitor!.Best);
            using var state = TrainerCheckpoint.Capture(TrainerStateNow(), _optimizer, _task.Model.named_parameters());
            _lastCheckpoint = store.Save(CheckpointFolder.Last, WithParent(_task.CreateCheckpoint(request)) with { Trainer = state }, overwrite: true);
            trainer.Report(new CheckpointEvent(_lastCheckpoint, ProgressEventJson.FiniteOnly(metrics), false));
        }

        private CheckpointContent WithParent(CheckpointContent content)
            => _options.ParentCheckpoint is null || content.Metadata.ParentCheckpoint is not null
                ? content
                : content with { Metadata = content.Metadata with { ParentCheckpoint = _options.ParentCheckpoint } };

        private TrainerState TrainerStateNow() => new()
        {
            Step = _step,
            Epoch = _epoch,
            BatchInEpoch = _batchInEpoch,
            Seed = _options.Seed,
            Scheduler = TrainerOptions.SchedulerStateOf(_schedule!, _step),
            Scaler = _scaler.IsEnabled
                ? new Core.Checkpoints.GradScalerState(_scaler.CurrentScale, _scaler.GrowthTracker, _scaler.Options.GrowthFactor,
                    _scaler.Options.BackoffFactor, _scaler.Options.GrowthInterval)
                : null,
            Extra = new Dictionary<string, double>
            {
                ["evaluations_without_improvement"] = _monitor!.EvaluationsWithoutImprovement,
                ["accumulate"] = _options.Accumulate,
                ["world_size"] = _group.WorldSize,
                ["skipped_steps"] = _scaler.SkippedSteps,
                ["last_eval_step"] = _lastEvalStep,
            },
        };

        public void Dispose()
        {
            _optimizer?.Dispose();
            _lossSinceLog?.Dispose();
        }
    }
}
