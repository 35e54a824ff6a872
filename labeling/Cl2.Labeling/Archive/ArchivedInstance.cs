using Cl2.Dicom;

namespace Cl2.Labeling.Archive;

/// <summary>
/// One row of the archive's index: the attributes QIDO-RS matches and returns, and the blob holding the instance as it
/// was received. The index is a table, not events: an instance arriving is a fact about storage, not about the domain.
/// </summary>
public sealed record ArchivedInstance(
    string SopInstanceUid,
    string SopClassUid,
    string StudyInstanceUid,
    string SeriesInstanceUid,
    string? PatientId,
    string? PatientName,
    string? StudyDate,
    string? StudyTime,
    string? AccessionNumber,
    string? StudyDescription,
    string? Modality,
    int? SeriesNumber,
    string? SeriesDescription,
    int? InstanceNumber,
    int? Rows,
    int? Columns,
    int? NumberOfFrames,
    string TransferSyntaxUid,
    string BlobDigest,
    long Length)
{
    /// <summary>Whether the index holds the instance's <see cref="InstanceLayout"/> (false for one stored before it did).</summary>
    public bool HasLayout { get; init; }

    /// <summary>Where the instance's frames lie in its blob, when the layout has them.</summary>
    public FrameRanges? Frames { get; init; }

    /// <summary>The index row of a parsed instance; the identifying UIDs must be present (the caller checked).</summary>
    public static ArchivedInstance From(DicomFile file, string blobDigest, long length)
    {
        ArgumentNullException.ThrowIfNull(file);
        var dataset = file.Dataset;
        string? Text(DicomTag tag) => dataset.GetStringOrDefault(tag) is { Length: > 0 } value ? value : null;
        int? Number(DicomTag tag) => dataset.TryGetValue<int>(tag, out var value) ? value : null;
        return new ArchivedInstance(
            dataset.GetString(DicomTags.SOPInstanceUID),
            dataset.GetString(DicomTags.SOPClassUID),
            dataset.GetString(DicomTags.StudyInstanceUID),
            dataset.GetString(DicomTags.SeriesInstanceUID),
            Text(DicomTags.PatientID),
            Text(DicomTags.PatientName),
            Text(DicomTags.StudyDate),
            Text(DicomTags.StudyTime),
            Text(DicomTags.AccessionNumber),
            Text(DicomTags.StudyDescription),
            Text(DicomTags.Modality),
            Number(DicomTags.SeriesNumber),
            Text(DicomTags.SeriesDescription),
            Number(DicomTags.InstanceNumber),
            Number(DicomTags.Rows),
            Number(DicomTags.Columns),
            dataset.Contains(DicomTags.PixelData) ? Math.Max(1, Number(DicomTags.NumberOfFrames) ?? 1) : null,
            file.TransferSyntax.Uid,
            blobDigest,
            length);
    }
}
