namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>Asynchronous Operations Window sub-item (PS3.7 D.3.3.3); 1/1 means operations are not asynchronous.</summary>
public sealed record AsynchronousOperationsWindow(ushort MaxOperationsInvoked, ushort MaxOperationsPerformed)
{
    public static AsynchronousOperationsWindow Synchronous { get; } = new(1, 1);
}
