using System.Diagnostics;
using Cl2.Inference.Processing;
using Cl2.Inference.Serving;
using Cl2.Inference.Studies;
using Cl2.Labeling.Client;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Tests.Processing;

/// <summary>The model queue's order, in process: a worker takes a waiting production study before any shadow run, and shadow
/// runs wait in a bounded queue of their own.</summary>
public sealed class ModelQueuePriorityTests
{
    private static readonly ModelVersionInfo Version = new(Guid.NewGuid(), Guid.NewGuid(), 1, "PRODUCTION", "sha256:" + new string('a', 64), []);

    private static ModelJob Production(string study) => new(
        new CompleteStudy(study, [], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, CompletenessReason.QuietPeriod), "liver-ct", Version,
        new RoutingDecisionInfo(1, null, null, null, []), [], Stopwatch.StartNew(), null);

    // The queue hands a shadow job over as it is; what production read and made is the shadow run's to use, not the queue's.
    private static ShadowJob Shadow(string study) => new(study, Version with { Number = 2 }, "liver-ct", new ProductionRun([], null!), Guid.NewGuid());

    [Fact]
    public async Task a_worker_runs_every_waiting_production_study_before_a_shadow()
    {
        using var queue = new ModelQueue(Options.Create(new ModelRunOptions { ShadowQueueCapacity = 2 }));
        Assert.True(queue.TryEnqueueShadow(Shadow("s1")));
        Assert.True(queue.TryEnqueue(Production("p1")));
        Assert.True(queue.TryEnqueueShadow(Shadow("s2")));
        Assert.True(queue.TryEnqueue(Production("p2")));
        var order = new List<string>();
        using var done = new CancellationTokenSource();
        void Ran(string study)
        {
            order.Add(study);
            if (order.Count == 5)
            {
                done.Cancel();
            }
        }

        var worker = queue.WorkAsync(job => { Ran(job.Study.StudyInstanceUid); return Task.CompletedTask; }, shadow =>
        {
            Ran(shadow.StudyInstanceUid);
            // A study that arrives while a shadow runs goes before the next shadow.
            if (shadow.StudyInstanceUid == "s1")
            {
                Assert.True(queue.TryEnqueue(Production("p3")));
            }
            return Task.CompletedTask;
        }, done.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => worker.WaitAsync(TimeSpan.FromMinutes(3)));

        Assert.Equal(["p1", "p2", "s1", "p3", "s2"], order);
    }

    [Fact]
    public void a_shadow_run_that_finds_the_shadow_queue_full_is_refused()
    {
        using var queue = new ModelQueue(Options.Create(new ModelRunOptions { QueueCapacity = 1, ShadowQueueCapacity = 1 }));
        Assert.True(queue.TryEnqueueShadow(Shadow("s1")));

        Assert.False(queue.TryEnqueueShadow(Shadow("s2")));
        Assert.True(queue.TryEnqueue(Production("p1")));
        Assert.Equal((1, 1), (queue.Waiting, queue.ShadowsWaiting));
    }
}
