using Cl2.Labeling.Blobs;

namespace Cl2.Labeling;

/// <summary>A digest that an event names (a mask, weights, a data set's digest), held to the blob store's one rule.</summary>
public static class BlobReference
{
    /// <summary>
    /// The digest in its one written form (<see cref="BlobDigest"/>: "sha256:" and 64 hex digits, either case, kept
    /// lower-case), or INVALID_INPUT naming <paramref name="field"/>.
    /// </summary>
    public static BlobDigest Require(string text, string field) => BlobDigest.TryParse(text, out var digest)
        ? digest.Value
        : throw DomainException.Invalid($"{field} '{text}' is not a blob digest: write sha256: followed by 64 hexadecimal digits (POST /blobs answers it).");
}
