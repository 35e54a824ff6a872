using static TorchSharp.torch;

namespace Cl2.Models.Training;

/// <summary>
/// Prepares an epoch's batches on background threads while the trainer runs, as PyTorch's DataLoader with
/// <c>num_workers</c> and <c>prefetch_factor</c>: <c>workers</c> threads make the planned batches in order, at most
/// <c>depth</c> ahead of the one the trainer takes, so memory is bounded by the queue, not by the data set. With no
/// workers every batch is made on the trainer's thread when asked for. A batch asked for outside the plan is made on
/// the spot. <see cref="Waits"/> counts the batches the trainer had to wait for.
/// </summary>
public sealed class PrefetchingData : IEpochPlannedData, IDisposable
{
    private readonly ISampledData _source;
    private readonly int _workers;
    private readonly int _depth;
    private Plan? _plan;
    private int _waits;

    public PrefetchingData(ISampledData source, int workers, int depth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        this._source = source;
        this._workers = workers;
        this._depth = depth;
    }

    public int Count => _source.Count;

    /// <summary>Batches the trainer asked for before a worker had finished them.</summary>
    public int Waits => Volatile.Read(ref _waits);

    public void PlanEpoch(int epoch, IReadOnlyList<int> order, int batchSize, int firstBatch)
    {
        _plan?.Dispose();
        var batches = new List<int[]>();
        for (var start = firstBatch * batchSize; start < order.Count; start += batchSize)
        {
            batches.Add([.. order.Skip(start).Take(batchSize)]);
        }
        _plan = new Plan(_source, epoch, batches, _workers, _depth);
    }

    public (Tensor Input, Tensor Target) GetBatch(IReadOnlyList<int> indices)
    {
        if (_plan?.TryTake(indices, out var batch, out var waited) == true)
        {
            if (waited)
            {
                Interlocked.Increment(ref _waits);
            }
        }
        else
        {
            batch = _source.Batch(indices, _plan?.Epoch ?? 0);
        }
        // Views made on the trainer's thread, inside its step's dispose scope, which frees them after the step.
        using (batch.Input)
        using (batch.Target)
        {
            return (batch.Input.alias(), batch.Target.alias());
        }
    }

    public void Dispose() => _plan?.Dispose();

    /// <summary>One epoch's batches: made by the workers in order, handed out in order, at most depth ahead.</summary>
    private sealed class Plan : IDisposable
    {
        private readonly ISampledData _source;
        private readonly List<int[]> _batches;
        private readonly TaskCompletionSource<(Tensor, Tensor)>[] _made;
        private readonly SemaphoreSlim _room;
        private readonly CancellationTokenSource _stop = new();
        private int _disposed;
        private readonly Task[] _running;
        private int _nextToMake = -1;
        private int _nextToTake;

        public Plan(ISampledData source, int epoch, List<int[]> batches, int workers, int depth)
        {
            this._source = source;
            this._batches = batches;
            Epoch = epoch;
            _made = [.. batches.Select(_ => new TaskCompletionSource<(Tensor, Tensor)>(TaskCreationOptions.RunContinuationsAsynchronously))];
            _room = new SemaphoreSlim(depth);
            _running = workers == 0 ? [] : [.. Enumerable.Range(0, workers).Select(_ => Task.Factory.StartNew(Work, TaskCreationOptions.LongRunning))];
        }

        public int Epoch { get; }

        public bool TryTake(IReadOnlyList<int> indices, out (Tensor Input, Tensor Target) batch, out bool waited)
        {
            batch = default;
            waited = false;
            if (_running.Length == 0 || _nextToTake >= _batches.Count || !_batches[_nextToTake].SequenceEqual(indices))
            {
                return false;
            }
            var pending = _made[_nextToTake++].Task;
            waited = !pending.IsCompleted;
            batch = pending.GetAwaiter().GetResult();
            _room.Release();
            return true;
        }

        private void Work()
        {
            try
            {
                while (true)
                {
                    _room.Wait(_stop.Token);
                    var index = Interlocked.Increment(ref _nextToMake);
                    if (index >= _batches.Count)
                    {
                        return;
                    }
                    try
                    {
                        _made[index].SetResult(_source.Batch(_batches[index], Epoch));
                    }
                    catch (Exception exception)
                    {
                        // The trainer gets the error when it takes this batch.
                        _made[index].SetException(exception);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The epoch was re-planned or the data disposed.
            }
        }

        public void Dispose()
        {
            // The trainer and the data's owner may both dispose it (a StreamingDataset under a using, handed to the trainer).
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }
            _stop.Cancel();
            Task.WaitAll(_running);
            foreach (var batch in _made.Skip(_nextToTake).Where(batch => batch.Task.IsCompletedSuccessfully))
            {
                var (input, target) = batch.Task.Result;
                input.Dispose();
                target.Dispose();
            }
            _stop.Dispose();
            _room.Dispose();
        }
    }
}
