namespace Cl2.Dicom;

/// <summary>Malformed or hostile input: says where (byte offset, tag) and what is wrong.</summary>
public sealed class DicomFormatException : Exception
{
    public DicomFormatException(long offset, DicomTag? tag, string problem, Exception? innerException = null)
        : base(tag is { } t ? $"at byte offset {offset}, element {t}: {problem}" : $"at byte offset {offset}: {problem}", innerException)
    {
        Offset = offset;
        Tag = tag;
        Problem = problem;
    }

    public DicomFormatException()
        : this(0, null, "malformed DICOM")
    {
    }

    public DicomFormatException(string message)
        : this(0, null, message)
    {
    }

    public DicomFormatException(string message, Exception innerException)
        : this(0, null, message, innerException)
    {
    }

    public long Offset { get; }

    public DicomTag? Tag { get; }

    public string Problem { get; }
}
