using System.Diagnostics;
using System.Threading.Channels;
using Cl2.Inference.Serving;
using Cl2.Labeling.Client;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Processing;

/// <summary>A study whose routed model version is to run: what the processing loop decided, handed to a model worker.</summary>
/// <param name="Stages">The stages timed so far (waiting for completeness).</param>
/// <param name="Total">Started when the study left the processing queue.</param>
/// <param name="Span">The study's span; the model worker ends it.</param>
public sealed record ModelJob(CompleteStudy Study, string Workload, ModelVersionInfo Version, RoutingDecisionInfo Decision, IReadOnlyList<StageTimingInfo> Stages,
    Stopwatch Total, Activity? Span, ModelVersionInfo? Shadow = null);

/// <summary>A shadow version to run on a study production has run on and recorded (<see cref="ShadowRuns"/>): it waits for a
/// model worker that has no production study to run.</summary>
public sealed record ShadowJob(string StudyInstanceUid, ModelVersionInfo Shadow, string Workload, ProductionRun Production, Guid ProductionResultId);

/// <summary>
/// The bounded queue between the processing loop and the model workers (<see cref="ModelRunOptions.QueueCapacity"/>,
/// <see cref="ModelRunOptions.Concurrency"/> workers), so that routing, pass-through and recorded failures of other studies
/// never wait behind a model run. It never blocks the loop: when it is full, <see cref="TryEnqueue"/> says so and the
/// study stays in the store, unprocessed, to be queued at a later poll.
/// Shadow runs wait in a second bounded queue (<see cref="ModelRunOptions.ShadowQueueCapacity"/>) that a worker reads only
/// when no production study is waiting, so a shadow never takes a production study's turn; a shadow that finds its queue
/// full is not run (<see cref="TryEnqueueShadow"/> says so).
/// </summary>
public sealed class ModelQueue(IOptions<ModelRunOptions> options) : IDisposable
{
    private readonly Channel<ModelJob> _jobs = Channel.CreateBounded<ModelJob>(new BoundedChannelOptions(options.Value.QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleWriter = true,
    });

    private readonly Channel<ShadowJob> _shadows = Channel.CreateBounded<ShadowJob>(new BoundedChannelOptions(options.Value.ShadowQueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
    });

    // One count per job written to either queue, taken by the worker that reads it: a worker past it always finds a job.
    private readonly SemaphoreSlim _queued = new(0);

    private int _running;
    private long _timesFull;

    public int Capacity => options.Value.QueueCapacity;

    public int ShadowQueueCapacity => options.Value.ShadowQueueCapacity;

    public int Waiting => _jobs.Reader.Count;

    public int ShadowsWaiting => _shadows.Reader.Count;

    public int Running => Volatile.Read(ref _running);

    /// <summary>How often a study found the queue full (and waited in the store).</summary>
    public long TimesFull => Interlocked.Read(ref _timesFull);

    public bool TryEnqueue(ModelJob job)
    {
        if (_jobs.Writer.TryWrite(job))
        {
            _queued.Release();
            return true;
        }
        Interlocked.Increment(ref _timesFull);
        return false;
    }

    /// <summary>Queues a shadow run behind every production study; false when the shadow queue is full (it is not run).</summary>
    public bool TryEnqueueShadow(ShadowJob job)
    {
        if (_shadows.Writer.TryWrite(job))
        {
            _queued.Release();
            return true;
        }
        return false;
    }

    /// <summary>The jobs, for one worker: a production study whenever one waits, a shadow run only when none does.
    /// <see cref="Running"/> counts each production study from when it is read until <paramref name="run"/> returns.</summary>
    public async Task WorkAsync(Func<ModelJob, Task> run, Func<ShadowJob, Task> runShadow, CancellationToken cancellationToken)
    {
        while (true)
        {
            await _queued.WaitAsync(cancellationToken);
            if (_jobs.Reader.TryRead(out var job))
            {
                Interlocked.Increment(ref _running);
                try
                {
                    await run(job);
                }
                finally
                {
                    Interlocked.Decrement(ref _running);
                }
            }
            else if (_shadows.Reader.TryRead(out var shadow))
            {
                await runShadow(shadow);
            }
        }
    }

    public void Dispose() => _queued.Dispose();
}

/// <summary>Degraded while the model queue is full: studies routed to a model then wait in the store. Never Unhealthy:
/// nothing is lost, they are queued when there is room.</summary>
public sealed class ModelQueueCheck(ModelQueue queue) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var summary = $"{queue.Waiting} of {queue.Capacity} places taken by studies waiting for a model run, {queue.Running} running";
        return Task.FromResult(queue.Waiting >= queue.Capacity
            ? HealthCheckResult.Degraded($"The model queue is full: {summary} (Inference:Models:QueueCapacity); further studies routed to a model wait " +
                "in the store and are queued when there is room. Raise Inference:Models:Concurrency or QueueCapacity, or run inference on a GPU.")
            : HealthCheckResult.Healthy(summary));
    }
}
