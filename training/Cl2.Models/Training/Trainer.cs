using Cl2.Models.Training.Metrics;
using Cl2.Models.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cl2.Models.Training;

/// <summary>
/// Supervised training of one network: shuffled micro-batches, gradient accumulation, a scheduled learning rate,
/// validation on a fixed split after each epoch, early stopping and resumable checkpoints. Each optimizer step runs
/// in its own dispose scope, so native memory stays flat however long the run. The caller owns the network and the
/// loss; the trainer moves the network to the device (create it on the CPU and load its weights first).
/// <para>libtorch's random generator is one per process and a run seeds it: train one network per process (the worker
/// does), or runs will draw from each other's sequences and stop being reproducible.</para>
/// </summary>
public sealed class Trainer : IDisposable
{
    /// <summary>The resumable checkpoint's folder under <see cref="TrainerOptions.CheckpointDirectory"/>.</summary>
    public const string ResumeFolder = "resume";

    /// <summary>The best validation epoch's weights, under <see cref="TrainerOptions.CheckpointDirectory"/>.</summary>
    public const string BestWeightsPath = "best/weights.bin";

    private readonly nn.Module<Tensor, Tensor> _network;
    private readonly nn.Module<Tensor, Tensor, Tensor> _loss;
    private readonly TrainerOptions _options;
    private readonly Device _device;
    private readonly OptimizerHelper _optimizer;
    private bool _resumed;

    public Trainer(nn.Module<Tensor, Tensor> network, nn.Module<Tensor, Tensor, Tensor> loss, TrainerOptions options, ComputeDevice device)
    {
        options.Validate();
        TrainingPrecisions.EnsureSupported(options.Precision, device);
        this._network = network;
        this._loss = loss;
        this._options = options;
        this._device = device.Device;
        network.to(this._device);
        if (options.Precision == TrainingPrecision.BFloat16)
        {
            network.to(ScalarType.BFloat16);
        }
        var parameters = network.parameters();
        _optimizer = options.Optimizer switch
        {
            // TorchSharp's own steps pass libtorch Scalars that a collection on the loader's threads could free mid-call.
            OptimizerKind.Adam => new HeldScalarAdam(parameters, options.LearningRate, options.Beta1, options.Beta2, options.Epsilon, options.WeightDecay),
            OptimizerKind.AdamW => new HeldScalarAdamW(parameters, options.LearningRate, options.Beta1, options.Beta2, options.Epsilon, options.WeightDecay),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "Unknown optimizer."),
        };
        State = new TrainingState { Seed = options.Seed };
    }

    public TrainingState State { get; private set; }

    /// <summary>Continues from the checkpoint in <see cref="TrainerOptions.CheckpointDirectory"/> if there is one.</summary>
    public bool TryResume()
    {
        if (_options.CheckpointDirectory is null || !TrainingCheckpoint.Exists(ResumeDirectory(_options.CheckpointDirectory)))
        {
            return false;
        }
        State = TrainingCheckpoint.Read(ResumeDirectory(_options.CheckpointDirectory), _network, _optimizer);
        if (State.Seed != _options.Seed)
        {
            throw new InvalidOperationException($"The checkpoint was trained with seed {State.Seed}, these options say {_options.Seed}.");
        }
        _resumed = true;
        return true;
    }

    public TrainingResult Train(ITrainingData training, ITrainingData validation, IValidationMetrics metrics,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (training.Count == 0)
        {
            throw new ArgumentException("The training split is empty.", nameof(training));
        }
        if (!_resumed)
        {
            random.manual_seed(_options.Seed);
        }
        var batches = (training.Count + _options.BatchSize - 1) / _options.BatchSize;
        IReadOnlyDictionary<string, double> last = new Dictionary<string, double>();
        IReadOnlyDictionary<string, double>? best = null;
        var learningRate = _options.LearningRate;
        while (State.Epoch < _options.Epochs)
        {
            var order = EpochShuffle.Order(training.Count, _options.Seed, State.Epoch);
            (training as IEpochPlannedData)?.PlanEpoch(State.Epoch, order, _options.BatchSize, State.NextBatch);
            _network.train();
            // Kept in the state, so an epoch resumed from a checkpoint reports the mean over all its steps, not only the resumed ones.
            var lossSum = State.EpochLossSum;
            var lossCount = State.EpochLossCount;
            while (State.NextBatch < batches)
            {
                if (_options.MaxSteps is { } maxSteps && State.Step >= maxSteps)
                {
                    return Finish(TrainingStopReason.MaxStepsReached, last, best);
                }
                if (cancellationToken.IsCancellationRequested)
                {
                    // A cancelled run keeps where it got to: its checkpoint resumes at this step.
                    WriteCheckpoint();
                    cancellationToken.ThrowIfCancellationRequested();
                }
                // A group never crosses the epoch's end, so its size is known before its first backward pass.
                var group = Math.Min(_options.AccumulationSteps, batches - State.NextBatch);
                learningRate = _options.Schedule.At(_options.LearningRate, State.Step);
                foreach (var parameterGroup in _optimizer.ParamGroups)
                {
                    parameterGroup.LearningRate = learningRate;
                }
                var stepLoss = OptimizerStep(training, order, State.NextBatch, group);
                State = State with { Step = State.Step + 1, NextBatch = State.NextBatch + group };
                if (double.IsFinite(stepLoss))
                {
                    lossSum += stepLoss;
                    lossCount++;
                    State = State with { EpochLossSum = lossSum, EpochLossCount = lossCount };
                    if (State.Step % _options.ProgressEvery == 0)
                    {
                        progress?.Report(new TrainingProgress(TrainingProgressKind.Step, State.Epoch, State.Step, stepLoss, learningRate,
                            new Dictionary<string, double>()));
                    }
                }
                if (_options.CheckpointEvery > 0 && State.Step % _options.CheckpointEvery == 0)
                {
                    WriteCheckpoint();
                }
            }

            last = Validate(validation, metrics, cancellationToken);
            if (_options.EarlyStopping is { } stopping)
            {
                if (!last.TryGetValue(stopping.Metric, out var value))
                {
                    throw new InvalidOperationException(
                        $"Early stopping watches '{stopping.Metric}', but validation reports only {string.Join(", ", last.Keys)}.");
                }
                State = stopping.Improves(value, State.BestMetric)
                    ? State with { BestMetric = value, BestEpoch = State.Epoch, EpochsWithoutImprovement = 0 }
                    : State with { EpochsWithoutImprovement = State.EpochsWithoutImprovement + 1 };
                if (State.BestEpoch == State.Epoch)
                {
                    best = last;
                    SaveBestWeights();
                }
            }
            progress?.Report(new TrainingProgress(TrainingProgressKind.EpochValidated, State.Epoch, State.Step,
                lossCount == 0 ? double.NaN : lossSum / lossCount, learningRate, last));
            State = State with { Epoch = State.Epoch + 1, NextBatch = 0, EpochLossSum = 0, EpochLossCount = 0 };
            if (_options.EarlyStopping is { } patience && State.EpochsWithoutImprovement >= patience.Patience)
            {
                return Finish(TrainingStopReason.EarlyStopped, last, best);
            }
        }
        return Finish(TrainingStopReason.Completed, last, best);
    }

    public void Dispose() => _optimizer.Dispose();

    /// <summary>
    /// One optimizer step over <paramref name="group"/> micro-batches. A step whose loss or any gradient is not finite
    /// updates nothing (Adam's moments would carry the NaN into every later step) and counts against
    /// <see cref="TrainerOptions.MaxNonFiniteSteps"/>; past it the run fails with <see cref="NonFiniteTrainingException"/>.
    /// Deciding needs the loss on the host each step, so the step waits for the device once.
    /// </summary>
    /// <returns>The mean micro-batch loss, or NaN/infinity for a skipped step.</returns>
    private double OptimizerStep(ITrainingData training, int[] order, int firstBatch, int group)
    {
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
        Tensor? total = null;
        // Held until libtorch has read it: an implicitly converted Scalar can be freed mid-call by a collection on the loader's threads.
        using Scalar groupSize = group, one = 1;
        for (var b = firstBatch; b < firstBatch + group; b++)
        {
            var start = b * _options.BatchSize;
            var indices = order.AsSpan(start, Math.Min(_options.BatchSize, order.Length - start)).ToArray();
            var (input, target) = training.GetBatch(indices);
            var output = Forward(input);
            var batchLoss = _loss.forward(output, target.to(_device));
            // Dividing by the group size makes the summed gradients those of the mean loss over the whole group.
            (batchLoss / groupSize).backward();
            total = total is null ? batchLoss.detach() : total.add(batchLoss.detach(), one);
        }
        var meanLoss = (total! / groupSize).to_type(ScalarType.Float32).item<float>();
        if (double.IsFinite(meanLoss) && GradientsAreFinite())
        {
            _optimizer.step();
            return meanLoss;
        }
        var firstNonFinite = FirstNonFiniteGradient();
        if (State.NonFiniteSteps >= _options.MaxNonFiniteSteps)
        {
            throw new NonFiniteTrainingException(State.Epoch, State.Step, meanLoss, firstNonFinite, State.NonFiniteSteps);
        }
        State = State with { NonFiniteSteps = State.NonFiniteSteps + 1 };
        _optimizer.zero_grad();
        return double.IsFinite(meanLoss) ? double.NaN : meanLoss;
    }

    /// <summary>One reduction over all gradients: a NaN or infinity anywhere makes the sum non-finite.</summary>
    private bool GradientsAreFinite()
    {
        Tensor? sum = null;
        // Tensor + Tensor passes an alpha of 1 that nothing keeps alive: add(x, one) with a held one.
        using Scalar one = 1;
        foreach (var parameter in _network.parameters())
        {
            if (parameter.grad is { } gradient)
            {
                var part = gradient.abs().sum().to_type(ScalarType.Float32);
                sum = sum is null ? part : sum.add(part, one);
            }
        }
        return sum is null || double.IsFinite(sum.item<float>());
    }

    private string? FirstNonFiniteGradient()
    {
        foreach (var (name, parameter) in _network.named_parameters())
        {
            if (parameter.grad is { } gradient && !gradient.isfinite().all().item<bool>())
            {
                return name;
            }
        }
        return null;
    }

    private Tensor Forward(Tensor input)
    {
        var onDevice = input.to(_device);
        if (_options.Precision == TrainingPrecision.BFloat16)
        {
            // Losses and metrics need float32's range and precision; only the network runs in bfloat16.
            return _network.forward(onDevice.to_type(ScalarType.BFloat16)).to_type(ScalarType.Float32);
        }
        if (_options.Precision == TrainingPrecision.BFloat16Autocast)
        {
            // Only the forward pass runs under autocast (as torch.autocast is used); backward follows the recorded casts.
            using var autocast = LibTorchAutocast.CudaBFloat16();
            return _network.forward(onDevice).to_type(ScalarType.Float32);
        }
        return _network.forward(onDevice);
    }

    private Dictionary<string, double> Validate(ITrainingData validation, IValidationMetrics metrics, CancellationToken cancellationToken)
    {
        _network.eval();
        metrics.Reset();
        using (no_grad())
        {
            // Whole volumes of different sizes do not stack: with a sliding window, one case per batch.
            var batchSize = _options.ValidationWindow is null ? _options.BatchSize : 1;
            var window = _options.ValidationWindow is { } roi ? new Inference.SlidingWindowInference(roi) : null;
            for (var first = 0; first < validation.Count; first += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var indices = Enumerable.Range(first, Math.Min(batchSize, validation.Count - first)).ToArray();
                var (input, target) = validation.GetBatch(indices);
                metrics.Add(window is null ? Forward(input) : window.Run(input.to(_device), Forward), target);
            }
        }
        _network.train();
        return new Dictionary<string, double>(metrics.Compute());
    }

    private TrainingResult Finish(TrainingStopReason reason, IReadOnlyDictionary<string, double> last,
        IReadOnlyDictionary<string, double>? best)
    {
        if (_options.CheckpointDirectory is not null)
        {
            WriteCheckpoint();
        }
        return new TrainingResult(reason, State, last, best);
    }

    private void WriteCheckpoint()
    {
        if (_options.CheckpointDirectory is { } directory)
        {
            TrainingCheckpoint.Write(ResumeDirectory(directory), _network, _optimizer, State);
        }
    }

    private void SaveBestWeights()
    {
        if (_options.CheckpointDirectory is not { } directory)
        {
            return;
        }
        var path = Path.Combine(directory, BestWeightsPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _network.save(path + ".partial");
        File.Move(path + ".partial", path, overwrite: true);
    }

    private static string ResumeDirectory(string directory) => Path.Combine(directory, ResumeFolder);
}
