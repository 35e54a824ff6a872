using System.Net;
using Cl2.Dicom;
using Cl2.Dicom.Coding;
using Cl2.Dicom.Web;

namespace Cl2.Testing;

/// <summary>
/// Puts studies into labeling's archive the way a client does, by STOW-RS: one small Secondary Capture instance per Study
/// Instance UID (its series and SOP Instance UIDs derived from the study's). Tests whose cases only need their studies to
/// exist use it, since <c>addCases</c> refuses a study the archive does not hold.
/// </summary>
public static class ArchivedStudies
{
    /// <summary>Instances per STOW-RS request.</summary>
    private const int PerRequest = 200;

    /// <summary>Stores one instance of each study through <c>/dicomweb/studies</c> of <paramref name="http"/>'s base address
    /// (labeling, or the gateway with a token), and fails unless every one was stored.</summary>
    public static Task StoreAsync(HttpClient http, IEnumerable<string> studyInstanceUids, CancellationToken cancellationToken = default) =>
        StoreInstancesAsync(http, studyInstanceUids.Distinct(StringComparer.Ordinal).Select(study => Instance(study)), cancellationToken);

    /// <summary>Stores the Part 10 files (a cohort's series, say) the same way.</summary>
    public static Task StoreFilesAsync(HttpClient http, IEnumerable<string> files, CancellationToken cancellationToken = default) =>
        StoreInstancesAsync(http, files.Select(File.ReadAllBytes), cancellationToken);

    private static async Task StoreInstancesAsync(HttpClient http, IEnumerable<byte[]> instances, CancellationToken cancellationToken)
    {
        foreach (var chunk in instances.Chunk(PerRequest))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/dicomweb/studies", UriKind.Relative))
            {
                Content = new MultipartRelatedContent([.. chunk.Select(bytes => MultipartRelatedPart.FromBytes(bytes))]),
            };
            request.Headers.Accept.ParseAdd(DicomMediaTypes.DicomJson);
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"The archive did not store {chunk.Length} instance(s): " +
                    $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }
    }

    public static Task StoreAsync(HttpClient http, params string[] studyInstanceUids) => StoreAsync(http, studyInstanceUids, CancellationToken.None);

    /// <summary>The SOP Instance UID of the instance <see cref="StoreAsync(HttpClient, string[])"/> stores for the study.</summary>
    public static string SopInstanceUidOf(string studyInstanceUid) => NameBasedUid.For($"archived-study/{studyInstanceUid}/instance");

    /// <summary>A 2×2 8-bit Secondary Capture image of <paramref name="studyInstanceUid"/>, as a Part 10 file.</summary>
    public static byte[] Instance(string studyInstanceUid) => Instance(studyInstanceUid, 1);

    /// <summary>Instance <paramref name="instanceNumber"/> of the study's one series (the first is <see cref="Instance(string)"/>'s),
    /// for tests that send a study of several instances.</summary>
    public static byte[] Instance(string studyInstanceUid, int instanceNumber)
    {
        var sopInstanceUid = instanceNumber == 1 ? SopInstanceUidOf(studyInstanceUid)
            : NameBasedUid.For($"archived-study/{studyInstanceUid}/instance/{instanceNumber}");
        var dataset = new DicomDataset()
            .SetUid(DicomTags.SOPClassUID, DicomUids.SecondaryCaptureImageStorage)
            .SetUid(DicomTags.SOPInstanceUID, sopInstanceUid)
            .SetUid(DicomTags.StudyInstanceUID, studyInstanceUid)
            .SetUid(DicomTags.SeriesInstanceUID, NameBasedUid.For($"archived-study/{studyInstanceUid}/series"))
            .SetString(DicomTags.PatientID, "ARCHIVED")
            .SetString(DicomTags.PatientName, "Archived^Study")
            .SetString(DicomTags.Modality, "OT")
            .SetString(DicomTags.ConversionType, "WSD")
            .SetValues(DicomTags.SeriesNumber, 1)
            .SetValues(DicomTags.InstanceNumber, instanceNumber)
            .SetValues(DicomTags.SamplesPerPixel, (ushort)1)
            .SetString(DicomTags.PhotometricInterpretation, "MONOCHROME2")
            .SetValues(DicomTags.Rows, (ushort)2)
            .SetValues(DicomTags.Columns, (ushort)2)
            .SetValues(DicomTags.BitsAllocated, (ushort)8)
            .SetValues(DicomTags.BitsStored, (ushort)8)
            .SetValues(DicomTags.HighBit, (ushort)7)
            .SetValues(DicomTags.PixelRepresentation, (ushort)0)
            .SetBytes(DicomTags.PixelData, DicomVR.OB, new byte[] { 0, 64, 128, 255 });
        var syntax = DicomTransferSyntax.ExplicitVRLittleEndian;
        var meta = DicomFileMetaInformation.Create(DicomUids.SecondaryCaptureImageStorage.Value, sopInstanceUid, syntax.Uid);
        using var bytes = new MemoryStream();
        new DicomFile(meta, dataset, syntax).Save(bytes);
        return bytes.ToArray();
    }
}
