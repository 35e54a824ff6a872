using System.Net.Http.Json;
using System.Security.Cryptography;

namespace Cl2.Labeling.Client;

/// <summary>Labeling's content-addressed blob store (docs/archive.md): checkpoints go up as files and come back by digest.</summary>
public sealed class BlobClient(HttpClient http)
{
    /// <returns>The blob's name, <c>sha256:&lt;hex&gt;</c>.</returns>
    public async Task<string> UploadAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return await UploadAsync(file, path, cancellationToken);
    }

    /// <param name="source">Names the content in an error.</param>
    /// <returns>The blob's name, <c>sha256:&lt;hex&gt;</c>.</returns>
    public async Task<string> UploadAsync(Stream file, string source, CancellationToken cancellationToken)
    {
        using var content = new StreamContent(file);
        content.Headers.ContentType = new("application/octet-stream");
        using var response = await http.PostAsync("blobs", content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"labeling refused the upload of {source} ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(cancellationToken)}",
                null, response.StatusCode);
        }
        var stored = await response.Content.ReadFromJsonAsync<StoredBlob>(cancellationToken);
        return stored?.Digest ?? throw new InvalidDataException("labeling answered an upload without a digest.");
    }

    /// <summary>Streams blob <paramref name="digest"/> to <paramref name="path"/>, hashing it on the way: the file is there
    /// only when its SHA-256 is the digest asked for, so a large checkpoint is never held in memory and never used unverified.</summary>
    /// <exception cref="HttpRequestException">Labeling has no such blob or did not answer (its status code, when it answered).</exception>
    /// <exception cref="InvalidDataException">The bytes labeling sent have another digest; nothing is left at <paramref name="path"/>.</exception>
    public async Task DownloadAsync(string digest, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"blobs/{digest}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"blob {digest} could not be fetched from labeling ({(int)response.StatusCode}).", null, response.StatusCode);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string actual;
        await using (var file = File.Create(path))
        {
            using var sha256 = SHA256.Create();
            await using (var hashing = new CryptoStream(file, sha256, CryptoStreamMode.Write, leaveOpen: true))
            {
                await response.Content.CopyToAsync(hashing, cancellationToken);
            }
            actual = "sha256:" + Convert.ToHexStringLower(sha256.Hash!);
        }
        if (!string.Equals(actual, digest, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(path);
            throw new InvalidDataException($"blob {digest} fetched from labeling has digest {actual}; it is not used");
        }
    }

    public async Task<byte[]> ReadAsync(string digest, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"blobs/{digest}", cancellationToken);
        return response.IsSuccessStatusCode
            ? await response.Content.ReadAsByteArrayAsync(cancellationToken)
            : throw new HttpRequestException($"blob {digest} could not be fetched from labeling ({(int)response.StatusCode}).", null, response.StatusCode);
    }

    private sealed record StoredBlob(string Digest, long Length);
}
