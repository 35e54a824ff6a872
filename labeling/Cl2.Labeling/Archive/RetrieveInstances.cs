using System.Globalization;
using Cl2.Dicom;
using Cl2.Dicom.Imaging;
using Cl2.Dicom.Web;
using Cl2.Labeling.Blobs;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Archive;

/// <summary>
/// WADO-RS (PS3.18 §10.4): instances of a study, series or one instance as multipart/related application/dicom, streamed
/// from the blob store byte for byte as they were stored; metadata as DICOM JSON (pixel data and large binary values
/// left out: fetch frames); frames as stored (native bytes, or a compressed frame's fragments joined); rendered PNG.
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
        var boundary = MultipartRelatedWriter.NewBoundary();
        context.Response.ContentType = MultipartRelatedWriter.ContentType(boundary, DicomMediaTypes.Dicom);
        var writer = new MultipartRelatedWriter(context.Response.Body, boundary);
        var root = ArchiveEndpoints.RootUrl(context.Request);
        foreach (var row in found)
        {
            var content = await blobs.OpenReadAsync(BlobDigest.Parse(row.BlobDigest), cancellationToken)
                ?? throw new InvalidOperationException($"the index names blob {row.BlobDigest} for {row.SopInstanceUid}, but the blob store has no such blob");
            await using (content)
            {
                await writer.WritePartAsync($"{DicomMediaTypes.Dicom}; transfer-syntax={row.TransferSyntaxUid}", content,
                    new Dictionary<string, string> { ["Content-Location"] = InstanceUrl(root, row) }, cancellationToken);
            }
        }
        await writer.CompleteAsync(cancellationToken);
    }

    public static async Task<IResult> MetadataAsync(HttpContext context, string study, string? series, string? instance, ArchiveIndex index,
        IBlobStore blobs, IOptions<ArchiveOptions> options, CancellationToken cancellationToken)
    {
        var found = await index.FindAsync(study, series, instance, cancellationToken);
        if (found.Count == 0)
        {
            return NotFound(context, study, series, instance);
        }
        using var json = new MemoryStream();
        json.WriteByte((byte)'[');
        for (var i = 0; i < found.Count; i++)
        {
            var file = await OpenAsync(blobs, found[i], cancellationToken);
            var dataset = file.Dataset;
            foreach (var element in dataset.ToArray())
            {
                if (element.Tag == DicomTags.PixelData || element is DicomFragmentSequence
                    || (element is DicomValueElement value && !value.VR.IsText && value.Length > options.Value.MaxInlineBinaryBytes))
                {
                    dataset.Remove(element.Tag);
                }
            }
            if (i > 0)
            {
                json.WriteByte((byte)',');
            }
            DicomJsonWriter.Write(json, dataset);
        }
        json.WriteByte((byte)']');
        return Results.Bytes(json.ToArray(), DicomMediaTypes.DicomJson);
    }

    public static async Task FramesAsync(HttpContext context, string study, string series, string instance, string frameList, ArchiveIndex index,
        IBlobStore blobs, CancellationToken cancellationToken)
    {
        var (row, _, pixelData, frames, problem) = await FramesOfAsync(context, study, series, instance, frameList, index, blobs, cancellationToken);
        if (problem is not null)
        {
            await problem.ExecuteAsync(context);
            return;
        }
        var boundary = MultipartRelatedWriter.NewBoundary();
        context.Response.ContentType = MultipartRelatedWriter.ContentType(boundary, DicomMediaTypes.OctetStream);
        var writer = new MultipartRelatedWriter(context.Response.Body, boundary);
        foreach (var frame in frames)
        {
            await writer.WritePartAsync($"{DicomMediaTypes.OctetStream}; transfer-syntax={row!.TransferSyntaxUid}", pixelData!.GetFrameBytes(frame - 1),
                cancellationToken: cancellationToken);
        }
        await writer.CompleteAsync(cancellationToken);
    }

    public static async Task<IResult> RenderedAsync(HttpContext context, string study, string series, string instance, string? frameList,
        ArchiveIndex index, IBlobStore blobs, CancellationToken cancellationToken)
    {
        var (_, file, pixelData, frames, problem) = await FramesOfAsync(context, study, series, instance, frameList ?? "1", index, blobs, cancellationToken);
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
            return Results.Problem($"frame {frames[0]} of {instance} cannot be rendered: {exception.Message}", statusCode: StatusCodes.Status406NotAcceptable);
        }
    }

    private static async Task<(ArchivedInstance? Row, DicomFile? File, DicomPixelData? PixelData, int[] Frames, IResult? Problem)> FramesOfAsync(HttpContext context,
        string study, string series, string instance, string frameList, ArchiveIndex index, IBlobStore blobs, CancellationToken cancellationToken)
    {
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
        var numbers = frameList.Split(',', StringSplitOptions.TrimEntries)
            .Select(text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
            .ToArray();
        if (numbers.Any(n => n < 1 || n > pixelData.NumberOfFrames))
        {
            return (row, file, null, [], Results.Problem(
                $"frames are numbered 1 to {pixelData.NumberOfFrames} for {instance}; '{frameList}' asks for others", statusCode: StatusCodes.Status404NotFound));
        }
        return (row, file, pixelData, numbers, null);
    }

    private static async Task<DicomFile> OpenAsync(IBlobStore blobs, ArchivedInstance row, CancellationToken cancellationToken)
    {
        var content = await blobs.OpenReadAsync(BlobDigest.Parse(row.BlobDigest), cancellationToken)
            ?? throw new InvalidOperationException($"the index names blob {row.BlobDigest} for {row.SopInstanceUid}, but the blob store has no such blob");
        await using (content)
        {
            return DicomFile.Open(content);
        }
    }

    private static string InstanceUrl(string root, ArchivedInstance row) =>
        $"{root}/studies/{row.StudyInstanceUid}/series/{row.SeriesInstanceUid}/instances/{row.SopInstanceUid}";

    private static IResult NotFound(HttpContext context, string study, string? series, string? instance) =>
        Results.Problem($"the archive has no {(instance is not null ? $"instance {instance}" : series is not null ? $"series {series}" : $"study {study}")}"
            + $" under {context.Request.Path}", statusCode: StatusCodes.Status404NotFound);
}
