using Cl2.Dicom;

namespace Cl2.Inference.Ingest;

/// <summary>
/// The preamble, "DICM" and File Meta Information (PS3.10 7.1) we put before a received data set. It depends only on
/// SOP class, SOP instance and transfer syntax, so the same data set always gives the same Part 10 bytes and the same
/// content address, whoever sent it.
/// </summary>
public static class Part10
{
    public static byte[] FileMetaInformation(string sopClassUid, string sopInstanceUid, string transferSyntaxUid) =>
        DicomFileMetaInformation.ToBytes(DicomFileMetaInformation.Create(sopClassUid, sopInstanceUid, transferSyntaxUid));
}
