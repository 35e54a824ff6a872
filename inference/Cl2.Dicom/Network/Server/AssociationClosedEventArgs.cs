namespace Cl2.Dicom.Network.Server;

/// <summary>How one association (or connection that never became one) ended: null <see cref="Error"/> is a clean
/// release; otherwise the typed failure that ended it.</summary>
public sealed class AssociationClosedEventArgs(string? callingAeTitle, Exception? error) : EventArgs
{
    public string? CallingAeTitle { get; } = callingAeTitle;
    public Exception? Error { get; } = error;
}
