using Cl2.Dicom;
using Cl2.Dicom.Deidentification;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;
using Cl2.Labeling.Archive;
using Cl2.Labeling.Blobs;

namespace Cl2.Labeling.Cohorts;

/// <summary>
/// Takes the C-STORE sub-operations of a C-GET into the archive (blob store, then index row), de-identified first when
/// a key is given. Success is answered only once the instance is indexed, so an import that stops half-way leaves only
/// whole instances behind.
/// </summary>
public sealed class ArchiveReceiver(IBlobStore blobs, ArchiveIndex index, PseudonymKey? key, DicomDeidentifier? deidentifier) : ICStoreProvider
{
    public int Received { get; private set; }

    public async ValueTask<DimseStatus> OnCStoreAsync(CStoreRequest request, CancellationToken cancellationToken)
    {
        using var received = new MemoryStream();
        await request.DataSet.CopyToAsync(received, cancellationToken);
        received.Position = 0;
        var dataset = DicomFile.Open(received).Dataset;
        var meta = DicomFileMetaInformation.Create(request.SopClassUid, request.SopInstanceUid, request.TransferSyntaxUid);
        var file = new DicomFile(meta, dataset, DicomTransferSyntax.Lookup(request.TransferSyntaxUid));
        if (deidentifier is not null)
        {
            file = deidentifier.Deidentify(file, key!.DerivePatient(dataset.GetStringOrDefault(DicomTags.PatientID)?.Trim() ?? ""));
        }
        using var part10 = new MemoryStream();
        file.Save(part10);
        part10.Position = 0;
        var blob = await blobs.PutAsync(part10, null, cancellationToken);
        await index.UpsertAsync([ArchivedInstance.From(file, blob.Digest.ToString(), blob.Length)], cancellationToken);
        Received++;
        return DimseStatus.Success;
    }
}
