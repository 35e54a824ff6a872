using System.Diagnostics.CodeAnalysis;

namespace Cl2.Labeling.Blobs;

/// <summary>A blob's name: the SHA-256 of its bytes, written "sha256:" and 64 lower-case hex digits (as OCI registries write it).</summary>
public readonly record struct BlobDigest
{
    public const string Prefix = "sha256:";

    private BlobDigest(string hex) => Hex = hex;

    public string Hex { get; }

    public static BlobDigest FromHash(ReadOnlySpan<byte> sha256) => new(Convert.ToHexStringLower(sha256));

    public static bool TryParse(string? text, [NotNullWhen(true)] out BlobDigest? digest)
    {
        digest = null;
        var hex = text?.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) == true ? text[Prefix.Length..] : text;
        if (hex is not { Length: 64 } || !hex.All(char.IsAsciiHexDigit))
        {
            return false;
        }
        digest = new BlobDigest(hex.ToLowerInvariant());
        return true;
    }

    public static BlobDigest Parse(string text) => TryParse(text, out var digest)
        ? digest.Value
        : throw new FormatException($"'{text}' is not a blob digest: write sha256: followed by 64 hexadecimal digits");

    public override string ToString() => Prefix + Hex;
}

/// <summary>What the store knows about a blob: its digest and length in bytes.</summary>
public sealed record BlobInfo(BlobDigest Digest, long Length)
{
    /// <summary>Set by <see cref="IBlobStore.PutAsync"/>: the store held these bytes before this upload (it kept no second copy).</summary>
    public bool WasAlreadyStored { get; init; }
}

/// <summary>The uploaded bytes do not hash to the digest the client named; nothing was stored.</summary>
public sealed class BlobDigestMismatchException(BlobDigest expected, BlobDigest actual)
    : Exception($"the upload hashes to {actual}, not to the expected {expected}: nothing was stored; check that the file was sent whole and unchanged")
{
    public BlobDigest Expected { get; } = expected;

    public BlobDigest Actual { get; } = actual;
}

/// <summary>The upload is larger than the store accepts; nothing was stored.</summary>
public sealed class BlobTooLargeException(long limit)
    : Exception($"the upload is larger than the limit of {limit} bytes (Blobs:MaxBlobBytes): nothing was stored")
{
    public long Limit { get; } = limit;
}
