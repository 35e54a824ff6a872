using System.Buffers;
using System.Globalization;
using Cl2.Dicom;
using Cl2.Dicom.Imaging;
using Cl2.Dicom.Web;
using Cl2.Labeling.Blobs;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Archive;

/// <summary>
/// WADO-RS (PS3.18 §10.4): instances of a study, series or one instance as multipart/related application/dicom in the
/// transfer syntax the Accept header asks for (<see cref="TransferSyntaxNegotiation"/>; "*" streams the stored bytes);
/// metadata as DICOM JSON with large binary values as BulkDataURI (<see cref="RetrieveBulkData"/>); frames native or as
/// stored; rendered PNG.
/// </summary>
public static class RetrieveInstances
{
    public static async Task RetrieveAsync(HttpContext context, string study, string? series, string? instance, ArchiveIndex index, IBlobStore blobs,
        CancellationToken cancellationToken)
    {
        var found = await index.FindAsync(study, series, instance, cancellationToken);
        if (found.Count == 0)
        {
            await NotFound(context, study, series, instance).ExecuteAsync(context);
            return;
        }
        var (target, refusal) = TransferSyntaxNegotiation.ForInstances(MediaRange.FromRequest(context.Request), found.Select(row => row.TransferSyntaxUid).ToArray());
        if (refusal is not null)
        {
            await NotAcceptable(refusal).ExecuteAsync(context);
            return;
        }
        var boundary = MultipartRelatedWriter.NewBoundary();
        context.Response.ContentType = MultipartRelatedWriter.ContentType(boundary, DicomMediaTypes.Dicom);
        var writer = new MultipartRelatedWriter(context.Response.Body, boundary);
        var root = ArchiveLinks.RootUrl(context);
        foreach (var row in found)
        {
            var headers = new Dictionary<string, string> { ["Content-Location"] = InstanceUrl(root, row) };
            if (target == TransferSyntaxNegotiation.AsStored || target == row.TransferSyntaxUid)
            {
                var content = await blobs.OpenReadAsync(BlobDigest.Parse(row.BlobDigest), cancellationToken) ?? throw MissingBlob(row);
                await using (content)
                {
                    await writer.WritePartAsync($"{DicomMediaTypes.Dicom}; transfer-syntax={row.TransferSyntaxUid}", content, headers, cancellationToken);
                }
                continue;
            }
            byte[] transcoded;
            try
            {
                transcoded = Transcode(await OpenAsync(blobs, row, cancellationToken), DicomTransferSyntax.Lookup(target!));
            }
            catch (PixelDataException exception) when (!context.Response.HasStarted)
            {
                // Only the first part can still become a 406; a later failure can only cut the answer short (the client sees no closing boundary).
                await NotAcceptable($"{row.SopInstanceUid} cannot be decoded into {target} ({exception.Message}); ask for it as stored with transfer-syntax=*")
                    .ExecuteAsync(context);
                return;
            }
            await writer.WritePartAsync($"{DicomMediaTypes.Dicom}; transfer-syntax={target}", transcoded, headers, cancellationToken);
        }
        await writer.CompleteAsync(cancellationToken);
    }

    /// <summary>The file in an uncompressed <paramref name="target"/> syntax, its pixel data decoded first if it is encapsulated.</summary>
    public static byte[] Transcode(DicomFile file, DicomTransferSyntax target)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.TransferSyntax.IsEncapsulated && file.Dataset.Contains(DicomTags.PixelData))
        {
            file = PixelDataTranscoding.Decode(file, target);
        }
        using var output = new MemoryStream();
        file.Save(output, target);
        return output.ToArray();
    }

    public static async Task<IResult> MetadataAsync(HttpContext context, string study, string? series, string? instance, ArchiveIndex index,
        IBlobStore blobs, IOptions<ArchiveOptions> options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var found = await index.FindMetadataAsync(study, series, instance, options.Value.MaxInlineBinaryBytes, cancellationToken);
        if (found.Count == 0)
        {
            return NotFound(context, study, series, instance);
        }
        var root = ArchiveLinks.RootUrl(context);
        using var json = new MemoryStream();
        json.WriteByte((byte)'[');
        for (var i = 0; i < found.Count; i++)
        {
            var (row, metadata) = found[i];
            metadata ??= (await LayoutBackfill.RecordAsync(row, blobs, index, options.Value, cancellationToken))?.Metadata;
            if (i > 0)
            {
                json.WriteByte((byte)',');
            }
            if (metadata is not null)
            {
                metadata.WriteTo(json, InstanceUrl(root, row));
                continue;
            }
            var file = await OpenAsync(blobs, row, cancellationToken);
            DicomJsonWriter.Write(json, file.Dataset, RetrieveBulkData.Locator(InstanceUrl(root, row), options.Value.MaxInlineBinaryBytes));
        }
        json.WriteByte((byte)']');
        return Results.Bytes(json.ToArray(), DicomMediaTypes.DicomJson);
    }

    public static async Task FramesAsync(HttpContext context, string study, string series, string instance, string frameList, ArchiveIndex index,
        IBlobStore blobs, ArchiveOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (numbers, listProblem) = ParseFrameList(frameList, options.MaxFramesPerRequest);
        var row = listProblem is null ? (await index.FindAsync(study, series, instance, cancellationToken)).SingleOrDefault() : null;
        var frameRanges = row is null ? null
            : row.HasLayout ? row.Frames
            : (await LayoutBackfill.RecordAsync(row, blobs, index, options, cancellationToken))?.Frames;
        if (frameRanges is null)
        {
            var (parsedRow, _, pixelData, frames, problem) = await FramesOfAsync(context, study, series, instance, frameList, index, blobs, options,
                cancellationToken);
            if (problem is not null)
            {
                await problem.ExecuteAsync(context);
                return;
            }
            await WriteFramesAsync(context, parsedRow!, Parsed(pixelData!), frames, cancellationToken);
            return;
        }
        // The frames' stored bytes are read where the layout says they lie; only a frame that must be decoded parses the instance.
        if (numbers.Any(n => n > frameRanges.Count))
        {
            await FramesOutOfRange(instance, frameRanges.Count, frameList).ExecuteAsync(context);
            return;
        }
        var content = await blobs.OpenReadAsync(BlobDigest.Parse(row!.BlobDigest), cancellationToken) ?? throw MissingBlob(row);
        await using (content)
        {
            DicomPixelData? decodable = null;
            await WriteFramesAsync(context, row, async (decode, number) =>
            {
                if (!decode)
                {
                    return await frameRanges.ReadAsync(content, number, cancellationToken);
                }
                decodable ??= DicomPixelData.From(await OpenAsync(blobs, row, cancellationToken));
                return decodable.DecodeFrame(number - 1).Data.ToArray();
            }, numbers, cancellationToken);
        }
    }

    /// <summary>Frames of a parsed instance: decoded by its codec, or as stored.</summary>
    public static Func<bool, int, ValueTask<byte[]>> Parsed(DicomPixelData pixelData)
    {
        ArgumentNullException.ThrowIfNull(pixelData);
        return (decode, number) => ValueTask.FromResult(decode ? pixelData.DecodeFrame(number - 1).Data.ToArray() : pixelData.GetFrameBytes(number - 1));
    }

    /// <summary>
    /// Frames (1-based) as multipart/related in the encoding the Accept header allows, or 406 naming what is available.
    /// Streamed: one frame is decoded, written and let go before the next, so an answer costs one frame of memory beyond
    /// the instance. The first frame is decoded before the answer starts, so an instance no codec reads is a clear 406;
    /// a later frame that fails to decode can only cut the answer short (the connection is aborted, the client sees no
    /// closing boundary) and is logged.
    /// </summary>
    public static async Task WriteFramesAsync(HttpContext context, ArchivedInstance row, Func<bool, int, ValueTask<byte[]>> frame,
        IReadOnlyList<int> frames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(frames);
        var (encoding, refusal) = TransferSyntaxNegotiation.ForFrames(MediaRange.FromRequest(context.Request), row.TransferSyntaxUid);
        if (refusal is not null)
        {
            await NotAcceptable(refusal).ExecuteAsync(context);
            return;
        }
        MultipartRelatedWriter? writer = null;
        foreach (var number in frames)
        {
            byte[] bytes;
            try
            {
                bytes = await frame(encoding!.Decode, number);
            }
            catch (PixelDataException exception) when (writer is null)
            {
                await NotAcceptable($"frame {number} of {row.SopInstanceUid} cannot be decoded ({exception.Message}); ask for frames as stored with "
                    + "Accept: multipart/related; type=\"application/octet-stream\"; transfer-syntax=*").ExecuteAsync(context);
                return;
            }
            catch (PixelDataException exception)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RetrieveInstances)).LogWarning(exception,
                    "Frame {Frame} of {SopInstanceUid} could not be decoded after earlier frames were sent; the answer was cut short", number, row.SopInstanceUid);
                context.Abort();
                return;
            }
            if (frames.Count == 1)
            {
                await WriteOneFrameAsync(context, encoding!.PartContentType, bytes, cancellationToken);
                return;
            }
            if (writer is null)
            {
                var boundary = MultipartRelatedWriter.NewBoundary();
                context.Response.ContentType = MultipartRelatedWriter.ContentType(boundary, encoding!.PartContentType.Split(';')[0]);
                writer = new MultipartRelatedWriter(context.Response.Body, boundary);
            }
            await writer.WritePartAsync(encoding!.PartContentType, bytes, cancellationToken: cancellationToken);
        }
        if (writer is not null)
        {
            await writer.CompleteAsync(cancellationToken);
        }
    }

    /// <summary>
    /// One frame, the answer a viewer asks for hundreds of times per series: its length is known, so it goes with a
    /// Content-Length in one write (one flush) instead of three chunks, which the gateway would otherwise read and pass on
    /// piece by piece.
    /// </summary>
    private static async Task WriteOneFrameAsync(HttpContext context, string partContentType, byte[] bytes, CancellationToken cancellationToken)
    {
        var boundary = MultipartRelatedWriter.NewBoundary();
        var (before, after) = MultipartRelatedWriter.OnePart(boundary, partContentType);
        context.Response.ContentType = MultipartRelatedWriter.ContentType(boundary, partContentType.Split(';')[0]);
        context.Response.ContentLength = before.Length + bytes.Length + after.Length;
        var body = context.Response.BodyWriter;
        body.Write(before);
        body.Write(bytes);
        body.Write(after);
        await body.FlushAsync(cancellationToken);
    }

    public static async Task<IResult> RenderedAsync(HttpContext context, string study, string series, string instance, string? frameList,
        ArchiveIndex index, IBlobStore blobs, ArchiveOptions options, CancellationToken cancellationToken)
    {
        // PNG is what is rendered: JPEG would need an encoder this toolkit does not have, so other types are refused before any work.
        var accepted = MediaRange.FromRequest(context.Request);
        if (!accepted.Any(range => range.Covers(DicomMediaTypes.Png)))
        {
            return NotAcceptable($"rendered frames are sent as {DicomMediaTypes.Png} only (no JPEG or GIF encoder here); Accept asks for "
                + $"{string.Join(", ", accepted)}: ask for {DicomMediaTypes.Png} or leave Accept out");
        }
        var (_, file, pixelData, frames, problem) = await FramesOfAsync(context, study, series, instance, frameList ?? "1", index, blobs, options,
            cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        try
        {
            var frame = pixelData!.DecodeFrame(frames[0] - 1);
            return Results.Bytes(PngEncoder.Encode(DisplayPipeline.Render(frame, file!.Dataset)), DicomMediaTypes.Png);
        }
        catch (Exception exception) when (exception is PixelDataException or NotSupportedException)
        {
            return NotAcceptable($"frame {frames[0]} of {instance} cannot be rendered: {exception.Message}");
        }
    }

    private static async Task<(ArchivedInstance? Row, DicomFile? File, DicomPixelData? PixelData, int[] Frames, IResult? Problem)> FramesOfAsync(HttpContext context,
        string study, string series, string instance, string frameList, ArchiveIndex index, IBlobStore blobs, ArchiveOptions options,
        CancellationToken cancellationToken)
    {
        // The list is checked before the instance is read: a list that cannot be answered costs no I/O.
        var (numbers, listProblem) = ParseFrameList(frameList, options.MaxFramesPerRequest);
        if (listProblem is not null)
        {
            return (null, null, null, [], Results.Problem(listProblem, statusCode: StatusCodes.Status400BadRequest));
        }
        var row = (await index.FindAsync(study, series, instance, cancellationToken)).SingleOrDefault();
        if (row is null)
        {
            return (null, null, null, [], NotFound(context, study, series, instance));
        }
        var file = await OpenAsync(blobs, row, cancellationToken);
        if (!file.Dataset.Contains(DicomTags.PixelData))
        {
            return (row, file, null, [], Results.Problem($"{instance} has no pixel data, so no frames", statusCode: StatusCodes.Status404NotFound));
        }
        var pixelData = DicomPixelData.From(file);
        if (numbers.Any(n => n > pixelData.NumberOfFrames))
        {
            return (row, file, null, [], FramesOutOfRange(instance, pixelData.NumberOfFrames, frameList));
        }
        return (row, file, pixelData, numbers, null);
    }

    private static IResult FramesOutOfRange(string instance, int numberOfFrames, string frameList) =>
        Results.Problem($"frames are numbered 1 to {numberOfFrames} for {instance}; '{frameList}' asks for others", statusCode: StatusCodes.Status404NotFound);

    /// <summary>
    /// A frame list (PS3.18 §8.3.3.1: 1-based numbers separated by ','), or why it cannot be answered: a number that is not
    /// one, a frame named twice (the answer would repeat it: a list of frame 1 thousands of times asks for gigabytes of an
    /// instance of megabytes), or more than <paramref name="maxFrames"/> frames.
    /// </summary>
    public static (int[] Frames, string? Problem) ParseFrameList(string frameList, int maxFrames)
    {
        ArgumentNullException.ThrowIfNull(frameList);
        var texts = frameList.Split(',', StringSplitOptions.TrimEntries);
        if (texts.Length > maxFrames)
        {
            return ([], $"the frame list names {texts.Length} frames; one request may name at most {maxFrames} (Archive:MaxFramesPerRequest): "
                + "ask for the rest in further requests");
        }
        var numbers = new int[texts.Length];
        var seen = new HashSet<int>();
        for (var i = 0; i < texts.Length; i++)
        {
            if (!int.TryParse(texts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]) || numbers[i] < 1)
            {
                return ([], $"'{ArchiveEndpoints.Printable(texts[i])}' in the frame list is not a frame number: frames are numbered from 1, separated by ','");
            }
            if (!seen.Add(numbers[i]))
            {
                return ([], $"frame {numbers[i]} is named more than once in the frame list: name each frame once");
            }
        }
        return (numbers, null);
    }

    public static async Task<DicomFile> OpenAsync(IBlobStore blobs, ArchivedInstance row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(row);
        var content = await blobs.OpenReadAsync(BlobDigest.Parse(row.BlobDigest), cancellationToken) ?? throw MissingBlob(row);
        await using (content)
        {
            return DicomFile.Open(content);
        }
    }

    public static string InstanceUrl(string root, ArchivedInstance row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return $"{root}/studies/{row.StudyInstanceUid}/series/{row.SeriesInstanceUid}/instances/{row.SopInstanceUid}";
    }

    public static IResult NotAcceptable(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status406NotAcceptable, title: "Not Acceptable");

    public static IResult NotFound(HttpContext context, string study, string? series, string? instance) =>
        Results.Problem($"the archive has no {(instance is not null ? $"instance {instance}" : series is not null ? $"series {series}" : $"study {study}")}"
            + $" under {context.Request.Path}", statusCode: StatusCodes.Status404NotFound);

    public static InvalidOperationException MissingBlob(ArchivedInstance row) =>
        new($"the index names blob {row.BlobDigest} for {row.SopInstanceUid}, but the blob store has no such blob");
}
