namespace Cl2.Dicom.Web;

/// <summary>Media types of PS3.18 §8.7 used by QIDO-RS, WADO-RS and STOW-RS.</summary>
public static class DicomMediaTypes
{
    public const string Dicom = "application/dicom";
    public const string DicomJson = "application/dicom+json";
    public const string OctetStream = "application/octet-stream";
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string MultipartRelated = "multipart/related";

    /// <summary>An Accept value asking for a multipart/related answer whose parts are <paramref name="type"/>.</summary>
    public static string AcceptMultipart(string type, string? transferSyntax = null) =>
        transferSyntax is null ? $"multipart/related; type=\"{type}\"" : $"multipart/related; type=\"{type}\"; transfer-syntax={transferSyntax}";
}
