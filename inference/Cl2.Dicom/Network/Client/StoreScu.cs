using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Network.Client;

/// <summary>What became of one file: the peer's status, or why it was not sent.</summary>
public sealed record StoreResult(string Path, string? SopInstanceUid, DimseStatus? Status, string? Error)
{
    public bool Succeeded => Status is { IsSuccess: true } || Status is { IsWarning: true };

    /// <summary>Sent, but the association ended before the peer answered: the peer may or may not have it.</summary>
    public bool NotAcknowledged => Error?.StartsWith(StoreScu.NotAcknowledged, StringComparison.Ordinal) == true;
}

/// <summary>
/// Core of `cl2 dicom store` (modelled on storescu): Part 10 files over one association. Each file goes in its own
/// transfer syntax; per SOP class the uncompressed syntaxes are offered too, so a peer's answer says what it would
/// take even when we cannot convert to it.
/// </summary>
public static class StoreScu
{
    /// <summary>PS3.8 allows 128 presentation contexts (odd ids 1..255) per association.</summary>
    public const int MaxPresentationContexts = 128;

    internal const string NotAcknowledged = "not acknowledged";

    public static IReadOnlyList<PresentationContext> ProposeContexts(IEnumerable<Part10FileHeader> headers)
    {
        var contexts = new List<PresentationContext>();
        var distinct = headers.Select(h => (h.MediaStorageSopClassUid, h.TransferSyntaxUid)).Distinct().ToList();
        foreach (var (sopClass, syntax) in distinct)
        {
            contexts.Add(new PresentationContext(0, sopClass, [syntax]));
        }
        foreach (var sopClass in distinct.Select(d => d.MediaStorageSopClassUid).Distinct())
        {
            if (!distinct.Any(d => d.MediaStorageSopClassUid == sopClass && DicomTransferSyntax.UncompressedUids.Contains(d.TransferSyntaxUid)))
            {
                contexts.Add(new PresentationContext(0, sopClass, DicomTransferSyntax.UncompressedUids));
            }
        }
        if (contexts.Count > MaxPresentationContexts)
        {
            throw new ArgumentException($"{contexts.Count} presentation contexts needed, at most {MaxPresentationContexts} fit one association", nameof(headers));
        }
        return contexts.Select((c, i) => c with { Id = (byte)(2 * i + 1) }).ToList();
    }

    public static async Task<IReadOnlyList<StoreResult>> SendAsync(string host, int port, DicomClientOptions options,
        IReadOnlyList<string> files, IProgress<StoreResult>? progress, CancellationToken cancellationToken)
    {
        var results = new List<StoreResult>();
        var headers = new List<(string Path, Part10FileHeader Header)>();
        foreach (var path in files)
        {
            try
            {
                var header = await Part10FileHeader.ReadAsync(path, cancellationToken);
                var dataSetLength = new FileInfo(path).Length - header.DataSetOffset;
                if (dataSetLength % 2 == 1 && header.TransferSyntaxUid != DicomTransferSyntax.DeflatedExplicitVRLittleEndian.Uid)
                {
                    // Every element of a valid encoding has an even length; peers abort the association over an odd data set.
                    Report(new StoreResult(path, header.MediaStorageSopInstanceUid, null,
                        $"not sent: its data set has an odd length ({dataSetLength} bytes), so the file is truncated or malformed"));
                    continue;
                }
                headers.Add((path, header));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                Report(new StoreResult(path, null, null, e.Message));
            }
        }
        if (headers.Count == 0)
        {
            return results;
        }
        await using var association = await DicomClientAssociation.OpenAsync(host, port, options,
            ProposeContexts(headers.Select(h => h.Header)), cancellationToken);
        for (var i = 0; i < headers.Count; i++)
        {
            var (path, header) = headers[i];
            try
            {
                var status = await association.StoreFileAsync(path, cancellationToken);
                Report(new StoreResult(path, header.MediaStorageSopInstanceUid, status, null));
            }
            catch (NoPresentationContextException e)
            {
                Report(new StoreResult(path, header.MediaStorageSopInstanceUid, null, e.Message));
            }
            catch (Exception e) when (e is DicomNetworkException or IOException)
            {
                // The association is gone: this file and every one after it got no response, so the peer may not have them.
                foreach (var (lost, lostHeader) in headers.Skip(i))
                {
                    Report(new StoreResult(lost, lostHeader.MediaStorageSopInstanceUid, null, $"{NotAcknowledged}: the association ended ({e.Message})"));
                }
                return results;
            }
        }
        await association.ReleaseAsync(cancellationToken);
        return results;

        void Report(StoreResult result)
        {
            results.Add(result);
            progress?.Report(result);
        }
    }
}
