using Cl2.Dicom;
using Cl2.Labeling.Blobs;

namespace Cl2.Labeling.Archive;

/// <summary>
/// Gives an instance stored without a recorded <see cref="InstanceLayout"/> (stored before the archive recorded layouts,
/// imported from a PACS, or recorded with another <see cref="ArchiveOptions.MaxInlineBinaryBytes"/>) its layout on first
/// read: the blob is copied to the spool folder (offsets need a file), parsed and described once, and the row updated.
/// </summary>
public static class LayoutBackfill
{
    /// <summary>The instance's layout, now recorded; null when its file cannot be parsed or described (the caller then reads it as before).</summary>
    public static async Task<InstanceLayout?> RecordAsync(ArchivedInstance instance, IBlobStore blobs, ArchiveIndex index, ArchiveOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(options);
        var path = Path.Combine(Directory.CreateDirectory(options.SpoolPath).FullName, "layout-" + Guid.NewGuid().ToString("N"));
        try
        {
            var content = await blobs.OpenReadAsync(BlobDigest.Parse(instance.BlobDigest), cancellationToken) ?? throw RetrieveInstances.MissingBlob(instance);
            await using (content)
            {
                var copy = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous);
                await using (copy)
                {
                    await content.CopyToAsync(copy, cancellationToken);
                }
            }
            InstanceLayout? layout;
            try
            {
                layout = InstanceLayout.Describe(DicomFile.Open(path, options.ReaderOptions), path, options);
            }
            catch (Exception exception) when (exception is DicomFormatException or EndOfStreamException or InvalidDataException or NotSupportedException)
            {
                return null;
            }
            if (layout is not null)
            {
                await index.RecordLayoutAsync(instance, layout, cancellationToken);
            }
            return layout;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
