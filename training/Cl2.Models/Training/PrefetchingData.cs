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
    private readonly ISampledData source;
    private readonly int workers;
    private readonly int depth;
    private Plan? plan;
    private int waits;

    public PrefetchingData(ISampledData source, int workers, int depth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        this.source = source;
        this.workers = workers;
        this.depth = depth;
    }

    public int Count => source.Count;

    /// <summary>Batches the trainer asked for before a worker had finished them.</summary>
    public int Waits => Volatile.Read(ref waits);

    public void PlanEpoch(int epoch, IReadOnlyList<int> order, int batchSize, int firstBatch)
    {
        plan?.Dispose();
        var batches = new List<int[]>();
        for (var start = firstBatch * batchSize; start < order.Count; start += batchSize)
        {
            batches.Add([.. order.Skip(start).Take(batchSize)]);
        }
        plan = new Plan(source, epoch, batches, workers, depth);
    }

    public (Tensor Input, Tensor Target) GetBatch(IReadOnlyList<int> indices)
    {
        if (plan?.TryTake(indices, out var batch, out var waited) == true)
        {
            if (waited)
            {
                Interlocked.Increment(ref waits);
            }
        }
        else
        {
            batch = source.Batch(indices, plan?.Epoch ?? 0);
        }
        // Views made on the trainer's thread, inside its step's dispose scope, which frees them after the step.
        using (batch.Input)
        using (batch.Target)
        {
            return (batch.Input.alias(), batch.Target.alias());
        }
    }

    public void Dispose() => plan?.Dispose();

    /// <summary>One epoch's batches: made by the workers in order, handed out in order, at most depth ahead.</summary>
    private sealed class Plan : IDisposable
    {
        private readonly ISampledData source;
        private readonly List<int[]> batches;
        private readonly TaskCompletionSource<(Tensor, Tensor)>[] made;
        private readonly SemaphoreSlim room;
        private readonly CancellationTokenSource stop = new();
        private readonly Task[] running;
        private int nextToMake = -1;
        private int nextToTake;

        public Plan(ISampledData source, int epoch, List<int[]> batches, int workers, int depth)
        {
            this.source = source;
            this.batches = batches;
            Epoch = epoch;
            made = [.. batches.Select(_ => new TaskCompletionSource<(Tensor, Tensor)>(TaskCreationOptions.RunContinuationsAsynchronously))];
            room = new SemaphoreSlim(depth);
            running = workers == 0 ? [] : [.. Enumerable.Range(0, workers).Select(_ => Task.Factory.StartNew(Work, TaskCreationOptions.LongRunning))];
        }

        public int Epoch { get; }

        public bool TryTake(IReadOnlyList<int> indices, out (Tensor Input, Tensor Target) batch, out bool waited)
        {
            batch = default;
            waited = false;
            if (running.Length == 0 || nextToTake >= batches.Count || !batches[nextToTake].SequenceEqual(indices))
            {
                return false;
            }
            var pending = made[nextToTake++].Task;
            waited = !pending.IsCompleted;
            batch = pending.GetAwaiter().GetResult();
            room.Release();
            return true;
        }

        private void Work()
        {
            try
            {
                while (true)
                {
                    room.Wait(stop.Token);
                    var index = Interlocked.Increment(ref nextToMake);
                    if (index >= batches.Count)
                    {
                        return;
                    }
                    try
                    {
                        made[index].SetResult(source.Batch(batches[index], Epoch));
                    }
                    catch (Exception exception)
                    {
                        // The trainer gets the error when it takes this batch.
                        made[index].SetException(exception);
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
            stop.Cancel();
            Task.WaitAll(running);
            foreach (var batch in made.Skip(nextToTake).Where(batch => batch.Task.IsCompletedSuccessfully))
            {
                var (input, target) = batch.Task.Result;
                input.Dispose();
                target.Dispose();
            }
            stop.Dispose();
            room.Dispose();
        }
    }
}
