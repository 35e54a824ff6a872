using Cl2.Dicom.Network.Dimse;

namespace Cl2.Dicom.Network.Server;

/// <summary>
/// The sub-operation counts of a C-GET or C-MOVE (PS3.7 C.4.2.1.4 / C.4.3.1.4) and the responses that carry them:
/// a Pending after each sub-operation while some remain, then the final status.
/// </summary>
internal sealed class SubOperationTally(int instances)
{
    private ushort _completed, _failed, _warning;

    public ushort Remaining { get; private set; } = checked((ushort)instances);

    /// <summary>One sub-operation answered with <paramref name="status"/>.</summary>
    public void Record(DimseStatus status)
    {
        if (status.IsSuccess)
        {
            _completed++;
        }
        else if (status.IsWarning)
        {
            _warning++;
        }
        else
        {
            _failed++;
        }
        Remaining--;
    }

    /// <summary>A sub-operation that could not be attempted (no presentation context for it).</summary>
    public void RecordFailed()
    {
        _failed++;
        Remaining--;
    }

    /// <summary>The destination is gone: this and every remaining sub-operation count as failed.</summary>
    public void FailRemaining()
    {
        _failed = (ushort)(_failed + Remaining);
        Remaining = 0;
    }

    public DimseCommand Pending(DimseCommand request) => Response(request, DimseStatus.Pending, Remaining);

    /// <summary>Cancel (with the sub-operations not started as remaining), Success, or complete with failures or warnings.</summary>
    public DimseCommand Final(DimseCommand request, bool cancelled) =>
        cancelled ? Response(request, DimseStatus.Cancel, Remaining)
        : Response(request, _failed > 0 || _warning > 0 ? DimseStatus.SubOperationsCompleteWithFailures : DimseStatus.Success, null);

    private DimseCommand Response(DimseCommand request, DimseStatus status, ushort? remaining) =>
        request.ResponseWith(status) with
        {
            NumberOfRemainingSubOperations = remaining,
            NumberOfCompletedSubOperations = _completed,
            NumberOfFailedSubOperations = _failed,
            NumberOfWarningSubOperations = _warning,
        };
}
