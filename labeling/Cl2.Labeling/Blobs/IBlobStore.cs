namespace Cl2.Labeling.Blobs;

/// <summary>
/// Content-addressed storage for masks, model weights and DICOM instances: a blob is named by the SHA-256 of its bytes,
/// is written whole or not at all, and never changes. The filesystem store is the default; an S3-compatible store
/// implements the same contract (PUT to a temporary key, verify, copy to the digest key).
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Streams <paramref name="content"/> into the store, hashing it on the way. When <paramref name="expected"/> is given
    /// and differs, or the content exceeds the size limit, nothing is stored and a typed exception says why.
    /// Storing bytes that are already there keeps no second copy and answers the same digest, with <see cref="BlobInfo.WasAlreadyStored"/> set.
    /// </summary>
    Task<BlobInfo> PutAsync(Stream content, BlobDigest? expected, CancellationToken cancellationToken);

    Task<BlobInfo?> GetInfoAsync(BlobDigest digest, CancellationToken cancellationToken);

    /// <summary>A seekable stream over the blob (for range reads), or null when there is no such blob.</summary>
    Task<Stream?> OpenReadAsync(BlobDigest digest, CancellationToken cancellationToken);
}
