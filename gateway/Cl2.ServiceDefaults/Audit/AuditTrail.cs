using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cl2.ServiceDefaults.Audit;

/// <summary>Where batches of audit records go: labeling's store (one transaction per batch), or labeling's audit endpoint
/// from inference.</summary>
public interface IAuditSink
{
    Task WriteAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken);
}

/// <summary>
/// The audit writer every host shares: <see cref="RecordAsync"/> puts a record in a bounded in-memory channel and returns
/// (a read never becomes a transaction of its own); one loop writes what has gathered every
/// <see cref="AuditOptions.FlushMilliseconds"/>, or as soon as <see cref="AuditOptions.MaxBatch"/> records wait, as one
/// batch. A batch the sink refuses is kept and tried again; while it is, the channel fills and callers wait (nothing is
/// dropped). What a crash loses is what waited in memory: at most <see cref="AuditOptions.Capacity"/> records, normally
/// one flush interval's worth. On an orderly stop the channel is drained first.
/// </summary>
public sealed class AuditTrail(IOptions<AuditOptions> options, IAuditSink sink, ILogger<AuditTrail> logger) : BackgroundService
{
    private readonly Channel<AuditRecord> _channel = Channel.CreateBounded<AuditRecord>(
        new BoundedChannelOptions(options.Value.Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>The batch being gathered or written: the loop's, then (once it has ended) StopAsync's.</summary>
    private readonly List<AuditRecord> _batch = new(options.Value.MaxBatch);

    public bool Enabled => options.Value.Enabled;

    /// <summary>Queues <paramref name="record"/>; waits only while the store is <see cref="AuditOptions.Capacity"/> records
    /// behind. Not cancelled with the request: a client that hangs up was still served.</summary>
    public ValueTask RecordAsync(AuditRecord record)
    {
        if (!options.Value.Enabled || _channel.Writer.TryWrite(record))
        {
            return ValueTask.CompletedTask;
        }
        return _channel.Writer.WriteAsync(record, CancellationToken.None);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var reader = _channel.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                using var interval = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var due = Task.Delay(settings.FlushMilliseconds, interval.Token);
                while (true)
                {
                    while (_batch.Count < settings.MaxBatch && reader.TryRead(out var record))
                    {
                        _batch.Add(record);
                    }
                    if (_batch.Count >= settings.MaxBatch || due.IsCompleted
                        || await Task.WhenAny(reader.WaitToReadAsync(interval.Token).AsTask(), due) == due)
                    {
                        break;
                    }
                }
                await interval.CancelAsync();
                await WriteAsync(_batch, stoppingToken);
                _batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync writes what is left.
        }
    }

    /// <summary>After the loop has ended (or never started: a host stopped at once), what waits is written once.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        while (_channel.Reader.TryRead(out var record))
        {
            _batch.Add(record);
        }
        if (_batch.Count == 0)
        {
            return;
        }
        try
        {
            await sink.WriteAsync(_batch, cancellationToken);
            _batch.Clear();
        }
        catch (Exception e)
        {
            logger.LogError(e, "Stopping with {Count} audit records that the audit store did not take; they are lost", _batch.Count);
        }
    }

    private async Task WriteAsync(List<AuditRecord> batch, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await sink.WriteAsync(batch, stoppingToken);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Writing {Count} audit records failed (attempt {Attempt}), trying again: {Reason}", batch.Count, attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 10)), stoppingToken);
            }
        }
    }
}
