using Cl2.Dicom;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Web;
using Cl2.Labeling.Blobs;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Archive;

/// <summary>
/// STOW-RS (PS3.18 §10.5): <c>POST /dicomweb/studies[/{study}]</c> with multipart/related; type="application/dicom".
/// Each part must start as a Part 10 file does (128-byte preamble, "DICM") before any more of it is written to the spool;
/// one that does not is read past, never written. Every spooled part is parsed and checked (UIDs by PS3.5 §9.1, text the
/// index can hold) before anything is stored: a part that fails is listed in the Failed SOP Sequence with its reason, the
/// others are stored, and one Warning header sums the failures up. A message cut short, or larger than
/// <c>Archive:MaxStowBytes</c>, stores nothing. Instances go to the blob store by content digest, then into the index in
/// one transaction.
/// </summary>
public static class StoreInstances
{
    // PS3.18 Table 10.5.3-1's failure reasons are C-STORE's statuses (PS3.4 B.2.3).
    private static readonly DimseStatus CannotUnderstand = DimseStatus.CannotUnderstand;
    private static readonly DimseStatus OutOfResources = DimseStatus.OutOfResources;
    private static readonly DimseStatus StudyInstanceUidMismatch = DimseStatus.DataSetDoesNotMatchSopClass;

    /// <summary>The private block of a Failed SOP Sequence item that says why in words (PS3.5 §7.8: creator, then element 01).</summary>
    public const string PrivateCreator = "cl2";
    public const ushort PrivateGroup = 0x0009;
    public const byte FailureDescriptionElement = 0x01;

    /// <summary>PS3.10 §7.1: a 128-byte preamble, then the prefix "DICM".</summary>
    private const int PreambleLength = 128;
    private static ReadOnlySpan<byte> Prefix => "DICM"u8;

    private static readonly DicomTag[] IdentifyingUids =
        [DicomTags.SOPClassUID, DicomTags.SOPInstanceUID, DicomTags.StudyInstanceUID, DicomTags.SeriesInstanceUID];

    /// <summary>The text attributes the index keeps; PostgreSQL's text cannot hold NUL, and DICOM text never has it.</summary>
    private static readonly DicomTag[] IndexedText =
    [
        DicomTags.PatientID, DicomTags.PatientName, DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.AccessionNumber,
        DicomTags.StudyDescription, DicomTags.Modality, DicomTags.SeriesDescription,
    ];

    private sealed record Spooled(string Path, DicomFile? File, string? SopClassUid, string? SopInstanceUid, DimseStatus? FailureReason, string? Problem);

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
        var maxStowBytes = options.Value.MaxStowBytes;
        if (context.Request.ContentLength > maxStowBytes)
        {
            return TooLarge(maxStowBytes);
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            // Instead of the server-wide default (30 MB): each part is held to Blobs:MaxBlobBytes, the whole to Archive:MaxStowBytes.
            bodyLimit.MaxRequestBodySize = maxStowBytes;
        }
        var spool = Directory.CreateDirectory(Path.Combine(options.Value.SpoolPath, "stow-" + Guid.NewGuid().ToString("N"))).FullName;
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
            catch (Exception exception) when (exception is RequestTooLargeException
                or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
            {
                return TooLarge(maxStowBytes);
            }
            if (parts.Count == 0)
            {
                return Results.Problem("the request holds no instance: send one application/dicom part per instance",
                    statusCode: StatusCodes.Status400BadRequest);
            }
            var stored = new List<(ArchivedInstance Instance, InstanceLayout? Layout)>();
            foreach (var part in parts.Where(part => part.File is not null))
            {
                var content = File.OpenRead(part.Path);
                await using (content)
                {
                    var blob = await blobs.PutAsync(content, null, cancellationToken);
                    // The blob holds the spooled bytes unchanged, so offsets in the spool file are offsets in the blob.
                    stored.Add((ArchivedInstance.From(part.File!, blob.Digest.ToString(), blob.Length), InstanceLayout.Describe(part.File!, part.Path, options.Value)));
                }
            }
            await index.UpsertAsync(stored, cancellationToken);
            return Answer(context, parts, stored.Select(pair => pair.Instance).ToArray());
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
        var buffer = new byte[128 * 1024];
        long total = 0;
        void Count(int read)
        {
            total += read;
            if (total > options.MaxStowBytes)
            {
                throw new RequestTooLargeException();
            }
        }
        using var reader = new MultipartRelatedReader(body, boundary);
        while (await reader.ReadNextPartAsync(cancellationToken) is { } part)
        {
            if (parts.Count == options.MaxInstancesPerStow)
            {
                throw new TooManyInstancesException(options.MaxInstancesPerStow);
            }
            var number = parts.Count + 1;
            var path = Path.Combine(spool, number.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var mediaType = part.ContentType.Split(';')[0].Trim();
            if (!mediaType.Equals(DicomMediaTypes.Dicom, StringComparison.OrdinalIgnoreCase))
            {
                await SkipAsync(part.Body, buffer, Count, cancellationToken);
                parts.Add(new Spooled(path, null, null, null, CannotUnderstand, $"part {number} is {mediaType}, not application/dicom"));
                continue;
            }
            var head = await part.Body.ReadAtLeastAsync(buffer.AsMemory(0, PreambleLength + Prefix.Length), PreambleLength + Prefix.Length,
                throwOnEndOfStream: false, cancellationToken);
            Count(head);
            if (head < PreambleLength + Prefix.Length || !buffer.AsSpan(PreambleLength, Prefix.Length).SequenceEqual(Prefix))
            {
                await SkipAsync(part.Body, buffer, Count, cancellationToken);
                parts.Add(new Spooled(path, null, null, null, CannotUnderstand,
                    $"part {number} is not a DICOM Part 10 file: it does not start with a 128-byte preamble and 'DICM' (PS3.10 section 7.1)"));
                continue;
            }
            var tooLarge = head > maxInstanceBytes;
            var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous);
            await using (file)
            {
                var read = head;
                do
                {
                    tooLarge |= file.Length + read > maxInstanceBytes;
                    if (!tooLarge)
                    {
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    }
                    read = await part.Body.ReadAsync(buffer, cancellationToken);
                    Count(read);
                }
                while (read > 0);
            }
            parts.Add(tooLarge
                ? new Spooled(path, null, null, null, OutOfResources, $"part {number} is larger than {maxInstanceBytes} bytes (Blobs:MaxBlobBytes)")
                : Parse(path, number, studyInstanceUid, options.ReaderOptions));
        }
        return parts;
    }

    /// <summary>Reads a part that will not be kept to its end, writing nothing.</summary>
    private static async Task SkipAsync(Stream part, byte[] buffer, Action<int> count, CancellationToken cancellationToken)
    {
        int read;
        while ((read = await part.ReadAsync(buffer, cancellationToken)) > 0)
        {
            count(read);
        }
    }

    private static Spooled Parse(string path, int number, string? studyInstanceUid, DicomReaderOptions readerOptions)
    {
        DicomFile file;
        try
        {
            file = DicomFile.Open(path, readerOptions);
        }
        catch (Exception exception) when (exception is DicomFormatException or EndOfStreamException or InvalidDataException or NotSupportedException)
        {
            return new Spooled(path, null, null, null, CannotUnderstand, $"part {number} is not a readable DICOM Part 10 file: {exception.Message}");
        }
        var dataset = file.Dataset;
        var sopClass = dataset.GetStringOrDefault(DicomTags.SOPClassUID);
        var sopInstance = dataset.GetStringOrDefault(DicomTags.SOPInstanceUID);
        Spooled Failed(DimseStatus reason, string problem) =>
            new(path, null, DicomUid.IsValid(sopClass) ? sopClass : null, DicomUid.IsValid(sopInstance) ? sopInstance : null, reason, problem);
        if (!file.HasFileMetaInformation)
        {
            return Failed(CannotUnderstand, $"part {number} has no File Meta Information: STOW-RS takes Part 10 files (preamble, DICM, group 0002)");
        }
        var missing = IdentifyingUids
            .Where(tag => dataset.GetStringOrDefault(tag) is not { Length: > 0 })
            .Select(tag => DicomDataset.Describe(tag))
            .ToArray();
        if (missing.Length > 0)
        {
            return Failed(CannotUnderstand, $"part {number} lacks {string.Join(", ", missing)}");
        }
        if (IdentifyingUids.Where(tag => !DicomUid.IsValid(dataset.GetString(tag))).Select(tag => (DicomTag?)tag).FirstOrDefault() is { } invalidUid)
        {
            return Failed(CannotUnderstand, $"part {number} has {DicomDataset.Describe(invalidUid)} '{ArchiveEndpoints.Printable(dataset.GetString(invalidUid))}', "
                + $"which is not a DICOM UID: {DicomUid.Rule}");
        }
        if (!DicomUid.IsValid(file.TransferSyntax.Uid))
        {
            return Failed(CannotUnderstand, $"part {number} has Transfer Syntax UID '{ArchiveEndpoints.Printable(file.TransferSyntax.Uid)}', which is not a DICOM UID");
        }
        if (IndexedText.Where(tag => dataset.GetStringOrDefault(tag)?.Contains('\0', StringComparison.Ordinal) == true).Select(tag => (DicomTag?)tag)
            .FirstOrDefault() is { } withNul)
        {
            return Failed(CannotUnderstand, $"part {number} has a NUL character inside {DicomDataset.Describe(withNul)}, which DICOM text does not allow");
        }
        if (studyInstanceUid is not null && dataset.GetString(DicomTags.StudyInstanceUID) != studyInstanceUid)
        {
            return Failed(StudyInstanceUidMismatch,
                $"part {number} belongs to study {dataset.GetString(DicomTags.StudyInstanceUID)}, not to {studyInstanceUid} named in the URL");
        }
        return new Spooled(path, file, sopClass, sopInstance, null, null);
    }

    private static IResult Answer(HttpContext context, IReadOnlyList<Spooled> parts, IReadOnlyList<ArchivedInstance> stored)
    {
        var root = ArchiveLinks.RootUrl(context);
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
        var failures = parts.Where(part => part.FailureReason is not null).ToArray();
        foreach (var part in failures)
        {
            var item = new DicomDataset();
            item.SetString(DicomTags.ReferencedSOPClassUID, part.SopClassUid ?? "");
            item.SetString(DicomTags.ReferencedSOPInstanceUID, part.SopInstanceUid ?? "");
            item.SetValues(DicomTags.FailureReason, part.FailureReason!.Value.Code);
            item.SetString(item.ReservePrivateTag(PrivateGroup, PrivateCreator, FailureDescriptionElement), DicomVR.LT, part.Problem!);
            failed.Add(item);
        }
        if (failures.Length > 0)
        {
            // PS3.18 §8.3.5.1: a 299 warning in words. One for the whole answer: one per part made 1,500 failed parts a
            // response header block over the gateway's 64 KiB limit. Each part's reason is in the body.
            context.Response.Headers.Warning = $"299 cl2: \"{failures.Length} of {parts.Count} parts were not stored (first: "
                + $"{ArchiveEndpoints.Printable(failures[0].Problem!, 200).Replace('"', '\'')}); the Failed SOP Sequence in the body gives each part's "
                + $"Failure Reason, and its reason in words in ({PrivateGroup:X4},xx{FailureDescriptionElement:X2}) of private creator '{PrivateCreator}'\"";
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

    private static IResult TooLarge(long limit) =>
        Results.Problem($"the request is larger than {limit} bytes (Archive:MaxStowBytes): nothing was stored; send the instances in several requests",
            statusCode: StatusCodes.Status413PayloadTooLarge);

    private sealed class TooManyInstancesException(int limit)
        : Exception($"the request holds more than {limit} instances (Archive:MaxInstancesPerStow): send them in several requests; nothing was stored");

    private sealed class RequestTooLargeException() : Exception("the request is larger than Archive:MaxStowBytes");
}
