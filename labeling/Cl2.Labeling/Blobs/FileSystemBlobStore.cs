using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Blobs;

/// <summary>
/// Blobs as files <c>{Root}/sha256/{first two hex digits}/{hex}</c>. An upload goes to <c>{Root}/tmp</c> first, is hashed
/// and counted as it streams, fsync'd, and only then renamed into place: a reader never sees a partial blob, and a failed
/// or refused upload leaves nothing behind.
/// </summary>
public sealed class FileSystemBlobStore(IOptions<BlobStoreOptions> options, IHostEnvironment environment) : IBlobStore
{
    private const int BufferSize = 128 * 1024;

    private string Root => Path.GetFullPath(options.Value.Root, environment.ContentRootPath);

    public async Task<BlobInfo> PutAsync(Stream content, BlobDigest? expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var limit = options.Value.MaxBlobBytes;
        var temporaryFolder = Directory.CreateDirectory(Path.Combine(Root, "tmp")).FullName;
        var temporary = Path.Combine(temporaryFolder, Guid.NewGuid().ToString("N"));
        try
        {
            BlobDigest digest;
            long length = 0;
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                    if (length > limit)
                    {
                        throw new BlobTooLargeException(limit);
                    }
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                digest = BlobDigest.FromHash(hash.GetHashAndReset());
                if (expected is { } wanted && wanted != digest)
                {
                    throw new BlobDigestMismatchException(wanted, digest);
                }
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            var path = PathOf(digest);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var existed = File.Exists(path);
            if (!existed)
            {
                try
                {
                    File.Move(temporary, path, overwrite: false);
                }
                catch (IOException) when (File.Exists(path))
                {
                    // Another upload of the same bytes won the rename: the content is the same, so is the answer.
                    existed = true;
                }
            }
            return new BlobInfo(digest, length) { WasAlreadyStored = existed };
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Task<BlobInfo?> GetInfoAsync(BlobDigest digest, CancellationToken cancellationToken)
    {
        var file = new FileInfo(PathOf(digest));
        return Task.FromResult(file.Exists ? new BlobInfo(digest, file.Length) : null);
    }

    public Task<Stream?> OpenReadAsync(BlobDigest digest, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult<Stream?>(new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize,
                FileOptions.Asynchronous | FileOptions.SequentialScan));
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    private string PathOf(BlobDigest digest) => Path.Combine(Root, "sha256", digest.Hex[..2], digest.Hex);
}
