using System.Collections.Concurrent;
using Cl2.ServiceDefaults.Audit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Tests.Audit;

/// <summary>The shared audit writer: records are batched, a refused batch is written again, a stop writes what waits.</summary>
public sealed class AuditTrailTests
{
    /// <summary>Remembers each batch it was given; refuses the first <paramref name="refusals"/>.</summary>
    private sealed class RecordingSink(int refusals = 0) : IAuditSink
    {
        private int _calls;

        public ConcurrentQueue<IReadOnlyList<AuditRecord>> Batches { get; } = new();

        public int Written => Batches.Sum(batch => batch.Count);

        public Task WriteAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) <= refusals)
            {
                throw new InvalidOperationException("the audit store is away");
            }
            Batches.Enqueue([.. records]);
            return Task.CompletedTask;
        }
    }

    private static AuditTrail Trail(IAuditSink sink, int flushMilliseconds = 200, int maxBatch = 500) =>
        new(Options.Create(new AuditOptions { FlushMilliseconds = flushMilliseconds, MaxBatch = maxBatch }), sink, NullLogger<AuditTrail>.Instance);

    private static AuditRecord Read(int index) => Requestor.Of(null, "127.0.0.1", "labeling") with { Operation = $"GET /dicomweb/studies/{index}" };

    private static async Task UntilAsync(Func<bool> condition)
    {
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); !condition(); await Task.Delay(20))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "the audit trail did not write in 60 s");
        }
    }

    [Fact]
    public async Task records_waiting_together_are_written_in_batches_of_at_most_max_batch()
    {
        var sink = new RecordingSink();
        var trail = Trail(sink, maxBatch: 100);
        for (var i = 0; i < 1000; i++)
        {
            await trail.RecordAsync(Read(i));
        }

        await trail.StartAsync(CancellationToken.None);
        await UntilAsync(() => sink.Written == 1000);
        await trail.StopAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Repeat(100, 10), sink.Batches.Select(batch => batch.Count));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"GET /dicomweb/studies/{i}"), sink.Batches.SelectMany(batch => batch).Select(r => r.Operation));
    }

    [Fact]
    public async Task a_batch_the_store_refuses_is_written_again()
    {
        var sink = new RecordingSink(refusals: 2);
        var trail = Trail(sink, flushMilliseconds: 10);
        await trail.StartAsync(CancellationToken.None);

        await trail.RecordAsync(Read(1));
        await UntilAsync(() => sink.Written == 1);
        await trail.StopAsync(CancellationToken.None);

        Assert.Equal("GET /dicomweb/studies/1", Assert.Single(Assert.Single(sink.Batches)).Operation);
    }

    [Fact]
    public async Task stopping_writes_the_records_still_waiting()
    {
        var sink = new RecordingSink();
        var trail = Trail(sink, flushMilliseconds: 60_000);
        await trail.StartAsync(CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            await trail.RecordAsync(Read(i));
        }

        await trail.StopAsync(CancellationToken.None);

        Assert.Equal(5, sink.Written);
    }
}
