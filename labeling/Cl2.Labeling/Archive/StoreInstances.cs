using Cl2.Dicom;
using Cl2.Dicom.Web;
using Cl2.Labeling.Blobs;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Archive;

/// <summary>
/// STOW-RS (PS3.18 §10.5): <c>POST /dicomweb/studies[/{study}]</c> with multipart/related; type="application/dicom".
/// Every part is spooled and parsed before anything is stored: a part that is not a readable Part 10 instance is listed in
/// the Failed SOP Sequence with its reason (and a Warning header in words), and a message that is cut short stores nothing.
/// Instances go to the blob store by content digest, then into the index in one transaction.
/// </summary>
public static class StoreInstances
{
    /// <summary>PS3.18 Table 10.5.3-1 failure reasons.</summary>
    private const ushort CannotUnderstand = 0xC000;
    private const ushort OutOfResources = 0xA700;
    private const ushort StudyInstanceUidMismatch = 0xA900;

    private sealed record Spooled(string Path, DicomFile? File, string? SopClassUid, string? SopInstanceUid, ushort? FailureReason, string? Problem);

    public static async Task<IResult> HandleAsync(HttpContext context, string? studyInstanceUid, IBlobStore blobs, ArchiveIndex index,
        IOptions<ArchiveOptions> options, IOptions<BlobStoreOptions> blobOptions, CancellationToken cancellationToken)
    {
        MultipartContentType contentType;
        try
        {
            contentType = MultipartContentType.Parse(context.Request.ContentType ?? "");
        }
        catch (InvalidDataException exception)
        {
            return Results.Problem(exception.Message, statusCode: StatusCodes.Status415UnsupportedMediaType);
        }
        if (contentType.Type is { } type && !type.Equals(DicomMediaTypes.Dicom, StringComparison.OrdinalIgnoreCase))
        {
            return Results.Problem($"the archive stores application/dicom parts; this request's parts are {type}",
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = null; // each part is held to Blobs:MaxBlobBytes below
        }
        var spool = options.Value.SpoolPath.Length == 0
            ? Directory.CreateTempSubdirectory("cl2-stow-").FullName
            : Directory.CreateDirectory(Path.Combine(options.Value.SpoolPath, "cl2-stow-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            List<Spooled> parts;
            try
            {
                parts = await SpoolAsync(context.Request.Body, contentType.Boundary, spool, studyInstanceUid, options.Value, blobOptions.Value.MaxBlobBytes,
                    cancellationToken);
            }
            catch (InvalidDataException exception)
            {
                return Results.Problem($"the multipart body is malformed ({exception.Message}): nothing was stored",
                    statusCode: StatusCodes.Status400BadRequest);
            }
            catch (TooManyInstancesException exception)
            {
                return Results.Problem(exception.Message, statusCode: StatusCodes.Status413PayloadTooLarge);
            }
            if (parts.Count == 0)
            {
                return Results.Problem("the request holds no instance: send one application/dicom part per instance",
                    statusCode: StatusCodes.Status400BadRequest);
            }
            var stored = new List<ArchivedInstance>();
            foreach (var part in parts.Where(part => part.File is not null))
            {
                var content = File.OpenRead(part.Path);
                await using (content)
                {
                    var blob = await blobs.PutAsync(content, null, cancellationToken);
                    stored.Add(ArchivedInstance.From(part.File!, blob.Digest.ToString(), blob.Length));
                }
            }
            await index.UpsertAsync(stored, cancellationToken);
            return Answer(context, parts, stored);
        }
        finally
        {
            Directory.Delete(spool, recursive: true);
        }
    }

    private static async Task<List<Spooled>> SpoolAsync(Stream body, string boundary, string spool, string? studyInstanceUid,
        ArchiveOptions options, long maxInstanceBytes, CancellationToken cancellationToken)
    {
        var parts = new List<Spooled>();
        using var reader = new MultipartRelatedReader(body, boundary);
        while (await reader.ReadNextPartAsync(cancellationToken) is { } part)
        {
            if (parts.Count == options.MaxInstancesPerStow)
            {
                throw new TooManyInstancesException(options.MaxInstancesPerStow);
            }
            var path = Path.Combine(spool, parts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var mediaType = part.ContentType.Split(';')[0].Trim();
            if (!mediaType.Equals(DicomMediaTypes.Dicom, StringComparison.OrdinalIgnoreCase))
            {
                parts.Add(new Spooled(path, null, null, null, CannotUnderstand, $"part {parts.Count + 1} is {mediaType}, not application/dicom"));
                continue;
            }
            var tooLarge = false;
            var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 128 * 1024, FileOptions.Asynchronous);
            await using (file)
            {
                var buffer = new byte[128 * 1024];
                int read;
                while ((read = await part.Body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    tooLarge |= file.Length + read > maxInstanceBytes;
                    if (!tooLarge)
                    {
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    }
                }
            }
            parts.Add(tooLarge
                ? new Spooled(path, null, null, null, OutOfResources, $"part {parts.Count + 1} is larger than {maxInstanceBytes} bytes (Blobs:MaxBlobBytes)")
                : Parse(path, parts.Count + 1, studyInstanceUid));
        }
        return parts;
    }

    private static Spooled Parse(string path, int number, string? studyInstanceUid)
    {
        DicomFile file;
        try
        {
            file = DicomFile.Open(path);
        }
        catch (Exception exception) when (exception is DicomFormatException or EndOfStreamException or InvalidDataException or NotSupportedException)
        {
            return new Spooled(path, null, null, null, CannotUnderstand, $"part {number} is not a readable DICOM Part 10 file: {exception.Message}");
        }
        var dataset = file.Dataset;
        var sopClass = dataset.GetStringOrDefault(DicomTags.SOPClassUID);
        var sopInstance = dataset.GetStringOrDefault(DicomTags.SOPInstanceUID);
        if (!file.HasFileMetaInformation)
        {
            return new Spooled(path, null, sopClass, sopInstance, CannotUnderstand,
                $"part {number} has no File Meta Information: STOW-RS takes Part 10 files (preamble, DICM, group 0002)");
        }
        var missing = new[] { DicomTags.SOPClassUID, DicomTags.SOPInstanceUID, DicomTags.StudyInstanceUID, DicomTags.SeriesInstanceUID }
            .Where(tag => dataset.GetStringOrDefault(tag) is not { Length: > 0 })
            .Select(tag => DicomDataset.Describe(tag))
            .ToArray();
        if (missing.Length > 0)
        {
            return new Spooled(path, null, sopClass, sopInstance, CannotUnderstand, $"part {number} lacks {string.Join(", ", missing)}");
        }
        if (studyInstanceUid is not null && dataset.GetString(DicomTags.StudyInstanceUID) != studyInstanceUid)
        {
            return new Spooled(path, null, sopClass, sopInstance, StudyInstanceUidMismatch,
                $"part {number} belongs to study {dataset.GetString(DicomTags.StudyInstanceUID)}, not to {studyInstanceUid} named in the URL");
        }
        return new Spooled(path, file, sopClass, sopInstance, null, null);
    }

    private static IResult Answer(HttpContext context, IReadOnlyList<Spooled> parts, IReadOnlyList<ArchivedInstance> stored)
    {
        var root = ArchiveEndpoints.RootUrl(context.Request);
        var response = new DicomDataset();
        var referenced = new DicomSequence(DicomTags.ReferencedSOPSequence);
        var failed = new DicomSequence(DicomTags.FailedSOPSequence);
        if (stored.Select(instance => instance.StudyInstanceUid).Distinct().ToArray() is [var study])
        {
            response.SetString(DicomTags.RetrieveURL, $"{root}/studies/{study}");
        }
        foreach (var instance in stored)
        {
            var item = new DicomDataset();
            item.SetString(DicomTags.ReferencedSOPClassUID, instance.SopClassUid);
            item.SetString(DicomTags.ReferencedSOPInstanceUID, instance.SopInstanceUid);
            item.SetString(DicomTags.RetrieveURL,
                $"{root}/studies/{instance.StudyInstanceUid}/series/{instance.SeriesInstanceUid}/instances/{instance.SopInstanceUid}");
            referenced.Add(item);
        }
        foreach (var part in parts.Where(part => part.FailureReason is not null))
        {
            var item = new DicomDataset();
            item.SetString(DicomTags.ReferencedSOPClassUID, part.SopClassUid ?? "");
            item.SetString(DicomTags.ReferencedSOPInstanceUID, part.SopInstanceUid ?? "");
            item.SetValues(DicomTags.FailureReason, part.FailureReason!.Value);
            failed.Add(item);
            // PS3.18 §8.3.5.1: the reason in words, as a 299 warning.
            context.Response.Headers.Append("Warning", $"299 cl2: \"{part.Problem!.Replace('"', '\'').ReplaceLineEndings(" ")}\"");
        }
        if (referenced.Items.Count > 0)
        {
            response.Add(referenced);
        }
        if (failed.Items.Count > 0)
        {
            response.Add(failed);
        }
        var status = failed.Items.Count == 0 ? StatusCodes.Status200OK : referenced.Items.Count == 0 ? StatusCodes.Status409Conflict : StatusCodes.Status202Accepted;
        return Results.Text(DicomJsonWriter.Serialize(response), DicomMediaTypes.DicomJson, System.Text.Encoding.UTF8, status);
    }

    private sealed class TooManyInstancesException(int limit)
        : Exception($"the request holds more than {limit} instances (Archive:MaxInstancesPerStow): send them in several requests; nothing was stored");
}
