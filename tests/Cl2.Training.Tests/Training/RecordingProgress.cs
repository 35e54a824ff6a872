using Cl2.Models.Training;

namespace Cl2.Training.Tests.Training;

/// <summary>Records reports on the trainer's own thread (<see cref="Progress{T}"/> would post them elsewhere), and can
/// observe the thread's state at each report.</summary>
internal sealed class RecordingProgress(Action<TrainingProgress>? observe = null) : IProgress<TrainingProgress>
{
    public List<TrainingProgress> Reports { get; } = [];

    public IEnumerable<TrainingProgress> Steps => Reports.Where(r => r.Kind == TrainingProgressKind.Step);

    public IEnumerable<TrainingProgress> Epochs => Reports.Where(r => r.Kind == TrainingProgressKind.EpochValidated);

    public void Report(TrainingProgress value)
    {
        Reports.Add(value);
        observe?.Invoke(value);
    }
}
