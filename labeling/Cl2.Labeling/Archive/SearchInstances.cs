using Cl2.Dicom;
using Cl2.Dicom.Web;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Archive;

/// <summary>QIDO-RS (PS3.18 §10.6): studies, series and instances matching the query, as a DICOM JSON array.</summary>
public static class SearchInstances
{
    public static async Task<IResult> SearchAsync(HttpContext context, QidoLevel level, string? study, string? series, ArchiveIndex index,
        IOptions<ArchiveOptions> options, CancellationToken cancellationToken)
    {
        QidoSearch search;
        try
        {
            search = QidoSearch.Parse(level, context.Request.Query.SelectMany(pair => pair.Value.Select(value => KeyValuePair.Create(pair.Key, value))),
                options.Value.MaxQidoResults, study, series);
        }
        catch (QidoSearchException exception)
        {
            return Results.Problem(exception.Message, statusCode: StatusCodes.Status400BadRequest);
        }
        IReadOnlyList<DicomDataset> matches;
        try
        {
            matches = await index.SearchAsync(search, cancellationToken);
        }
        catch (Npgsql.PostgresException exception) when (exception.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            // Class 22 is a value PostgreSQL cannot take (an encoding it refuses, a number out of range): the client's doing.
            return Results.Problem($"a value of this search cannot be compared ({exception.MessageText}); check the matching keys' values",
                statusCode: StatusCodes.Status400BadRequest);
        }
        var root = ArchiveLinks.RootUrl(context);
        using var json = new MemoryStream();
        json.WriteByte((byte)'[');
        for (var i = 0; i < matches.Count; i++)
        {
            var match = matches[i];
            var url = $"{root}/studies/{match.GetString(DicomTags.StudyInstanceUID)}";
            if (level != QidoLevel.Study)
            {
                url += $"/series/{match.GetString(DicomTags.SeriesInstanceUID)}";
            }
            if (level == QidoLevel.Instance)
            {
                url += $"/instances/{match.GetString(DicomTags.SOPInstanceUID)}";
            }
            match.SetString(DicomTags.RetrieveURL, url);
            if (i > 0)
            {
                json.WriteByte((byte)',');
            }
            DicomJsonWriter.Write(json, match);
        }
        json.WriteByte((byte)']');
        return Results.Bytes(json.ToArray(), DicomMediaTypes.DicomJson);
    }
}
