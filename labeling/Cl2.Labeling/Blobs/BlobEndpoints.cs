using Cl2.Labeling.GraphQL;
using Cl2.ServiceDefaults;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Cl2.Labeling.Blobs;

/// <summary>
/// <c>POST /blobs</c> (optionally with an RFC 9530 <c>Content-Digest: sha-256=:…:</c> header) and <c>PUT /blobs/sha256:{hex}</c>
/// stream an upload into the store and verify its digest; <c>GET</c>/<c>HEAD /blobs/sha256:{hex}</c> read it back with
/// Range support (206 for a satisfiable range, 416 otherwise), so interrupted downloads resume where they stopped.
/// </summary>
public static class BlobEndpoints
{
    public const string Path = "/blobs";

    public static WebApplicationBuilder AddBlobStore(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<BlobStoreOptions>(BlobStoreOptions.Section);
        builder.Services.AddSingleton<IBlobStore, FileSystemBlobStore>();
        return builder;
    }

    public static WebApplication MapBlobEndpoints(this WebApplication app)
    {
        // Masks, corrections and weights are written by every kind of user and by the workers; nobody anonymous reads or writes.
        var blobs = app.MapGroup(Path).RequireRoles(Roles.Anyone);
        blobs.MapPost("", (HttpContext context, IBlobStore store, IOptions<BlobStoreOptions> options, CancellationToken cancellationToken) =>
        {
            var header = context.Request.Headers["Content-Digest"].ToString();
            if (header.Length == 0)
            {
                return UploadAsync(context, store, options.Value, null, cancellationToken);
            }
            return TryParseContentDigest(header, out var expected)
                ? UploadAsync(context, store, options.Value, expected, cancellationToken)
                : Task.FromResult(Results.Problem(
                    $"Content-Digest '{header}' has no sha-256 digest: send Content-Digest: sha-256=:<base64 of the SHA-256>: (RFC 9530) or PUT to /blobs/sha256:<hex>",
                    statusCode: StatusCodes.Status400BadRequest));
        });
        blobs.MapPut("/{digest}", (string digest, HttpContext context, IBlobStore store, IOptions<BlobStoreOptions> options, CancellationToken cancellationToken) =>
            BlobDigest.TryParse(digest, out var expected)
                ? UploadAsync(context, store, options.Value, expected, cancellationToken)
                : Task.FromResult(NotADigest(digest)));
        blobs.MapMethods("/{digest}", [HttpMethods.Get, HttpMethods.Head], async (string digest, HttpContext context, IBlobStore store, CancellationToken cancellationToken) =>
        {
            if (!BlobDigest.TryParse(digest, out var parsed))
            {
                return NotADigest(digest);
            }
            var content = await store.OpenReadAsync(parsed.Value, cancellationToken);
            if (content is null)
            {
                return Results.Problem($"there is no blob {parsed}", statusCode: StatusCodes.Status404NotFound);
            }
            // A digest names one content forever.
            context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            return Results.File(content, "application/octet-stream", entityTag: new EntityTagHeaderValue($"\"{parsed.Value.Hex}\""),
                enableRangeProcessing: true);
        });
        return app;
    }

    private static async Task<IResult> UploadAsync(HttpContext context, IBlobStore store, BlobStoreOptions options, BlobDigest? expected,
        CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength > options.MaxBlobBytes)
        {
            return TooLarge(options.MaxBlobBytes);
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            // The store counts and enforces the limit itself; the server-wide default (30 MB) would cut off model weights.
            bodyLimit.MaxRequestBodySize = null;
        }
        if (expected is { } known && await store.GetInfoAsync(known, cancellationToken) is { } existing)
        {
            return Results.Ok(new { digest = existing.Digest.ToString(), length = existing.Length });
        }
        try
        {
            var stored = await store.PutAsync(context.Request.Body, expected, cancellationToken);
            var answer = new { digest = stored.Digest.ToString(), length = stored.Length };
            return stored.WasAlreadyStored ? Results.Ok(answer) : Results.Created($"{Path}/{stored.Digest}", answer);
        }
        catch (BlobTooLargeException)
        {
            return TooLarge(options.MaxBlobBytes);
        }
        catch (BlobDigestMismatchException mismatch)
        {
            return Results.Problem(mismatch.Message, statusCode: StatusCodes.Status400BadRequest, title: "digest mismatch",
                extensions: new Dictionary<string, object?> { ["expected"] = mismatch.Expected.ToString(), ["actual"] = mismatch.Actual.ToString() });
        }
    }

    /// <summary>RFC 9530: <c>sha-256=:base64:</c>, possibly among other algorithms.</summary>
    private static bool TryParseContentDigest(string header, out BlobDigest? digest)
    {
        digest = null;
        foreach (var member in header.Split(','))
        {
            var pair = member.Trim().Split('=', 2);
            if (pair.Length == 2 && pair[0].Trim().Equals("sha-256", StringComparison.OrdinalIgnoreCase))
            {
                var value = pair[1].Trim().Trim(':');
                var bytes = new byte[32];
                if (Convert.TryFromBase64String(value, bytes, out var written) && written == 32)
                {
                    digest = BlobDigest.FromHash(bytes);
                    return true;
                }
            }
        }
        return false;
    }

    private static IResult NotADigest(string text) =>
        Results.Problem($"'{text}' is not a blob digest: use sha256:<64 hexadecimal digits>", statusCode: StatusCodes.Status400BadRequest);

    private static IResult TooLarge(long limit) =>
        Results.Problem($"the upload is larger than the limit of {limit} bytes (Blobs:MaxBlobBytes): nothing was stored",
            statusCode: StatusCodes.Status413PayloadTooLarge);
}
