using Cl2.Dicom;
using Cl2.Labeling.Blobs;
using Cl2.Labeling.GraphQL;
using Cl2.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Archive;

/// <summary>
/// The image archive's DICOMweb service under <c>/dicomweb</c> (the gateway routes <c>/dicomweb/**</c> here): STOW-RS,
/// QIDO-RS and WADO-RS over instances kept in the blob store and indexed in PostgreSQL. See docs/archive.md.
/// </summary>
public static class ArchiveEndpoints
{
    public const string Path = "/dicomweb";

    /// <summary>Images enter the archive from the inference listener and PACS imports (services) or an ML engineer; annotators and radiologists read.</summary>
    private static readonly string[] Stowers = [Roles.MlEngineer, Roles.Service];

    public static WebApplicationBuilder AddImageArchive(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ArchiveOptions>(ArchiveOptions.Section);
        builder.Services.AddSingleton<ArchiveIndex>();
        builder.Services.PostConfigure<ArchiveOptions>(options =>
            options.SpoolPath = System.IO.Path.GetFullPath(options.SpoolPath, builder.Environment.ContentRootPath));
        builder.Services.AddTrustedForwardedHeaders();
        return builder;
    }

    public static WebApplication MapImageArchiveEndpoints(this WebApplication app)
    {
        app.UseTrustedForwardedHeaders();
        var dicomweb = app.MapGroup(Path).RequireRoles(Roles.Anyone)
            .AddEndpointFilter(ArchiveRefusals.LogAsync).AddEndpointFilter(RefuseInvalidUids);

        // STOW-RS
        dicomweb.MapPost("/studies", (HttpContext context, IBlobStore blobs, ArchiveIndex index, IOptions<ArchiveOptions> options,
            IOptions<BlobStoreOptions> blobOptions, CancellationToken cancellationToken) =>
            StoreInstances.HandleAsync(context, null, blobs, index, options, blobOptions, cancellationToken)).RequireRoles(Stowers);
        dicomweb.MapPost("/studies/{study}", (string study, HttpContext context, IBlobStore blobs, ArchiveIndex index, IOptions<ArchiveOptions> options,
            IOptions<BlobStoreOptions> blobOptions, CancellationToken cancellationToken) =>
            StoreInstances.HandleAsync(context, study, blobs, index, options, blobOptions, cancellationToken)).RequireRoles(Stowers);

        // QIDO-RS
        dicomweb.MapGet("/studies", (HttpContext context, ArchiveIndex index, IOptions<ArchiveOptions> options, CancellationToken cancellationToken) =>
            SearchInstances.SearchAsync(context, QidoLevel.Study, null, null, index, options, cancellationToken));
        dicomweb.MapGet("/series", (HttpContext context, ArchiveIndex index, IOptions<ArchiveOptions> options, CancellationToken cancellationToken) =>
            SearchInstances.SearchAsync(context, QidoLevel.Series, null, null, index, options, cancellationToken));
        dicomweb.MapGet("/instances", (HttpContext context, ArchiveIndex index, IOptions<ArchiveOptions> options, CancellationToken cancellationToken) =>
            SearchInstances.SearchAsync(context, QidoLevel.Instance, null, null, index, options, cancellationToken));
        dicomweb.MapGet("/studies/{study}/series", (string study, HttpContext context, ArchiveIndex index, IOptions<ArchiveOptions> options,
            CancellationToken cancellationToken) =>
            SearchInstances.SearchAsync(context, QidoLevel.Series, study, null, index, options, cancellationToken));
        dicomweb.MapGet("/studies/{study}/instances", (string study, HttpContext context, ArchiveIndex index, IOptions<ArchiveOptions> options,
            CancellationToken cancellationToken) =>
            SearchInstances.SearchAsync(context, QidoLevel.Instance, study, null, index, options, cancellationToken));
        dicomweb.MapGet("/studies/{study}/series/{series}/instances", (string study, string series, HttpContext context, ArchiveIndex index,
            IOptions<ArchiveOptions> options, CancellationToken cancellationToken) =>
            SearchInstances.SearchAsync(context, QidoLevel.Instance, study, series, index, options, cancellationToken));

        // WADO-RS
        dicomweb.MapGet("/studies/{study}", (string study, HttpContext context, ArchiveIndex index, IBlobStore blobs, CancellationToken cancellationToken) =>
            RetrieveInstances.RetrieveAsync(context, study, null, null, index, blobs, cancellationToken));
        dicomweb.MapGet("/studies/{study}/series/{series}", (string study, string series, HttpContext context, ArchiveIndex index, IBlobStore blobs,
            CancellationToken cancellationToken) =>
            RetrieveInstances.RetrieveAsync(context, study, series, null, index, blobs, cancellationToken));
        dicomweb.MapGet("/studies/{study}/series/{series}/instances/{instance}", (string study, string series, string instance, HttpContext context,
            ArchiveIndex index, IBlobStore blobs, CancellationToken cancellationToken) =>
            RetrieveInstances.RetrieveAsync(context, study, series, instance, index, blobs, cancellationToken));
        dicomweb.MapGet("/studies/{study}/metadata", (string study, HttpContext context, ArchiveIndex index, IBlobStore blobs,
            IOptions<ArchiveOptions> options, CancellationToken cancellationToken) =>
            RetrieveInstances.MetadataAsync(context, study, null, null, index, blobs, options, cancellationToken));
        dicomweb.MapGet("/studies/{study}/series/{series}/metadata", (string study, string series, HttpContext context, ArchiveIndex index,
            IBlobStore blobs, IOptions<ArchiveOptions> options, CancellationToken cancellationToken) =>
            RetrieveInstances.MetadataAsync(context, study, series, null, index, blobs, options, cancellationToken));
        dicomweb.MapGet("/studies/{study}/series/{series}/instances/{instance}/metadata", (string study, string series, string instance,
            HttpContext context, ArchiveIndex index, IBlobStore blobs, IOptions<ArchiveOptions> options, CancellationToken cancellationToken) =>
            RetrieveInstances.MetadataAsync(context, study, series, instance, index, blobs, options, cancellationToken));
        dicomweb.MapGet("/studies/{study}/series/{series}/instances/{instance}/frames/{frames}", (string study, string series, string instance,
            string frames, HttpContext context, ArchiveIndex index, IBlobStore blobs, IOptions<ArchiveOptions> options, CancellationToken cancellationToken) =>
            RetrieveInstances.FramesAsync(context, study, series, instance, frames, index, blobs, options.Value, cancellationToken));
        dicomweb.MapGet("/studies/{study}/series/{series}/instances/{instance}/rendered", (string study, string series, string instance,
            HttpContext context, ArchiveIndex index, IBlobStore blobs, IOptions<ArchiveOptions> options, CancellationToken cancellationToken) =>
            RetrieveInstances.RenderedAsync(context, study, series, instance, null, index, blobs, options.Value, cancellationToken));
        dicomweb.MapGet("/studies/{study}/series/{series}/instances/{instance}/frames/{frames}/rendered", (string study, string series,
            string instance, string frames, HttpContext context, ArchiveIndex index, IBlobStore blobs, IOptions<ArchiveOptions> options,
            CancellationToken cancellationToken) =>
            RetrieveInstances.RenderedAsync(context, study, series, instance, frames, index, blobs, options.Value, cancellationToken));
        dicomweb.MapGet("/studies/{study}/series/{series}/instances/{instance}/" + RetrieveBulkData.Segment + "/{**path}", (string study, string series,
            string instance, string path, HttpContext context, ArchiveIndex index, IBlobStore blobs, CancellationToken cancellationToken) =>
            RetrieveBulkData.RetrieveAsync(context, study, series, instance, path, index, blobs, cancellationToken));
        return app;
    }

    /// <summary>
    /// Every UID in a DICOMweb path (study, series, instance) must be a UID (PS3.5 §9.1) before anything looks it up:
    /// a path such as <c>../../etc/passwd</c> or a quote is a 400 that says why, not a 404 after a database query.
    /// </summary>
    private static async ValueTask<object?> RefuseInvalidUids(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var name in (string[])["study", "series", "instance"])
        {
            if (context.HttpContext.GetRouteValue(name) is string uid && !DicomUid.IsValid(uid))
            {
                return Results.Problem($"the {name} in the path, '{Printable(uid)}', is not a DICOM UID: {DicomUid.Rule}",
                    statusCode: StatusCodes.Status400BadRequest);
            }
        }
        return await next(context);
    }

    /// <summary>Client text fit for a message or a header: printable ASCII, anything else as '?', at most <paramref name="most"/> characters.</summary>
    public static string Printable(string text, int most = 80)
    {
        ArgumentNullException.ThrowIfNull(text);
        var shown = new string(text.Take(most).Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
        return text.Length > most ? shown + "..." : shown;
    }
}
