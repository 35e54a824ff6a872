using System.Net;

namespace Cl2.Dicom.Web;

/// <summary>A DICOMweb request that the server refused or answered with something that is not DICOMweb.</summary>
public sealed class DicomWebException : Exception
{
    public DicomWebException(HttpStatusCode statusCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
    }

    public DicomWebException()
    {
    }

    public DicomWebException(string message)
        : base(message)
    {
    }

    public DicomWebException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HttpStatusCode? StatusCode { get; }
}
