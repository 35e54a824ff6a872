namespace Cl2.Dicom.Network.Client;

/// <summary>
/// The little an SCU needs from a Part 10 file (PS3.10 7.1): SOP class and instance from the file meta information,
/// its transfer syntax, and where the data set starts. Only the meta group is read (by its group length, through
/// <see cref="DicomFileMetaInformation.ReadAsync"/>); the data set travels as the file's bytes.
/// </summary>
public sealed record Part10FileHeader(string MediaStorageSopClassUid, string MediaStorageSopInstanceUid, string TransferSyntaxUid, long DataSetOffset)
{
    public static async Task<Part10FileHeader> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return await ReadAsync(file, path, cancellationToken);
    }

    /// <exception cref="InvalidDataException">The file is not Part 10, its meta group is malformed, or it lacks one of the three UIDs.</exception>
    public static async Task<Part10FileHeader> ReadAsync(Stream stream, string name, CancellationToken cancellationToken)
    {
        DicomDataset meta;
        long dataSetOffset;
        try
        {
            (meta, dataSetOffset) = await DicomFileMetaInformation.ReadAsync(stream, cancellationToken);
        }
        catch (DicomFormatException e)
        {
            throw new InvalidDataException($"{name}: {e.Message}", e);
        }
        return new Part10FileHeader(
            Required(meta, DicomTags.MediaStorageSOPClassUID, name),
            Required(meta, DicomTags.MediaStorageSOPInstanceUID, name),
            Required(meta, DicomTags.TransferSyntaxUID, name),
            dataSetOffset);
    }

    private static string Required(DicomDataset meta, DicomTag tag, string name) =>
        meta.TryGetString(tag, out var value)
            ? value
            : throw new InvalidDataException($"{name}: file meta information lacks {DicomDictionary.Find(tag)?.Keyword} {tag}");
}
