using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Network.Client;

/// <summary>Core of `cl2 dicom echo` (modelled on echoscu): associate for Verification, C-ECHO, release.</summary>
public static class EchoScu
{
    public static async Task<DimseStatus> EchoAsync(string host, int port, DicomClientOptions options, CancellationToken cancellationToken)
    {
        await using var association = await DicomClientAssociation.OpenAsync(host, port, options,
            [new PresentationContext(1, DicomUids.Verification.Value, [DicomTransferSyntax.ImplicitVRLittleEndian.Uid])], cancellationToken);
        var status = await association.EchoAsync(cancellationToken);
        await association.ReleaseAsync(cancellationToken);
        return status;
    }
}
