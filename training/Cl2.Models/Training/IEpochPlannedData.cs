namespace Cl2.Models.Training;

/// <summary>
/// Training data that wants to know an epoch's batches before they are asked for (to prepare them on other threads):
/// the trainer calls <see cref="PlanEpoch"/> once at the start of each epoch (a resumed one included), then asks for
/// exactly those batches in that order with <see cref="ITrainingData.GetBatch"/>.
/// </summary>
public interface IEpochPlannedData : ITrainingData
{
    /// <param name="order">The epoch's sample order; batch b is order[b·batchSize …] (the last one may be shorter).</param>
    /// <param name="firstBatch">The first batch the trainer will ask for (not 0 when an epoch resumes).</param>
    void PlanEpoch(int epoch, IReadOnlyList<int> order, int batchSize, int firstBatch);
}
