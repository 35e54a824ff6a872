using Cl2.Models;

namespace Cl2.Training;

/// <summary>
/// The training worker's main loop. It chooses its compute device at start so a broken libtorch fails fast.
/// Claiming training jobs from labeling arrives with the training job API (issue 6); until then it reports its
/// device and idles.
/// </summary>
public sealed partial class TrainingWorker(ComputeDevice device, ILogger<TrainingWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(logger, device.Description);
        await Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Training worker started on {Device}")]
    private static partial void LogStarted(ILogger logger, string device);
}
