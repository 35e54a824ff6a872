namespace Cl2.Dicom;

/// <summary>A DICOM Part 10 file (PS3.10 §7): preamble, File Meta Information (group 0002) and the dataset.</summary>
public sealed class DicomFile(DicomDataset fileMetaInformation, DicomDataset dataset, DicomTransferSyntax transferSyntax)
{
    public DicomDataset FileMetaInformation { get; } = fileMetaInformation;

    public DicomDataset Dataset { get; } = dataset;

    /// <summary>The transfer syntax the dataset was read in (or is to be written in).</summary>
    public DicomTransferSyntax TransferSyntax { get; } = transferSyntax;

    /// <summary>False for a file without preamble and meta group (a bare dataset, sniffed).</summary>
    public bool HasFileMetaInformation => FileMetaInformation.Count > 0;

    public static DicomFile Open(string path, DicomReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        return new DicomStreamReader(stream, Path.GetFullPath(path), options ?? DicomReaderOptions.Default).ReadFile();
    }

    /// <summary>Reads a file from a stream; every value is read into memory (no path to come back to).</summary>
    public static DicomFile Open(Stream stream, DicomReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }
        return new DicomStreamReader(stream, null, options ?? DicomReaderOptions.Default).ReadFile();
    }

    /// <summary>
    /// Writes to a temporary file beside <paramref name="path"/> and then moves it into place, so a reader never sees half
    /// a file. Saving over the file this one was opened from replaces the bytes its lazy values point at: open it again.
    /// </summary>
    public void Save(string path, DicomTransferSyntax? transferSyntax = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
        {
            Save(stream, transferSyntax);
        }
        File.Move(temporary, path, overwrite: true);
    }

    public void Save(Stream stream, DicomTransferSyntax? transferSyntax = null) =>
        DicomWriter.WriteFile(stream, this, transferSyntax ?? TransferSyntax);

    /// <summary>A copy that writes in another transfer syntax (uncompressed syntaxes convert between each other).</summary>
    public DicomFile WithTransferSyntax(DicomTransferSyntax transferSyntax) => new(FileMetaInformation, Dataset, transferSyntax);
}
