using Cl2.Labeling.Blobs;
using Cl2.Labeling.Database;
using Cl2.Labeling.Feedback;
using Cl2.Labeling.Labels;
using Marten;

namespace Cl2.Labeling.Shadow;

/// <summary>
/// Compares the shadow results beside a production result with the latest radiologist's verdict on it. It runs in
/// labeling, after whichever of the two is committed second (after <c>giveFeedback</c> and after <c>recordShadowResult</c>),
/// because labeling is the one place that sees both and holds both blobs: inference runs on replicas that know nothing
/// of a verdict given an hour later. When the two are committed at the same moment both look, and the shadow result
/// stream's version lets one comparison through; a verdict already compared (or an older one) records nothing.
/// </summary>
public static class CompareShadowWithFeedback
{
    /// <returns>The comparison to record, or nothing when the shadow was compared with this verdict or a later one.</returns>
    public static IReadOnlyList<object> Decide(ShadowResult? shadow, GivenFeedback feedback, ShadowAgreementWithFeedback agreement, DateTimeOffset now)
    {
        if (shadow is null || shadow.ProductionResultId != feedback.InferenceResultId
            || shadow.Feedback is { } compared && (compared.FeedbackId == feedback.Id || compared.GivenAt > feedback.GivenAt))
        {
            return [];
        }
        return [new ShadowComparedWithFeedback(shadow.Id, feedback.Id, feedback.Verdict, feedback.GivenAt, agreement.Labels,
            agreement.Labels.Count == 0 ? null : agreement.Labels.Average(label => label.Agreement), agreement.Unscored, now)];
    }

    /// <summary>How far <paramref name="shadow"/> agreed with <paramref name="feedback"/>: an acceptance says production was
    /// right, so the shadow's agreement with production is its agreement with the radiologist; a rejection names no right
    /// answer; a correction is compared with the shadow's kept output.</summary>
    public static ShadowAgreementWithFeedback AgreementOf(ShadowResult shadow, GivenFeedback feedback, LabelKind? correctionKind, byte[]? correction,
        byte[]? shadowOutput) => feedback.Verdict switch
        {
            FeedbackVerdict.Accept => new(shadow.Labels, null),
            FeedbackVerdict.Reject => new([], null),
            _ when shadowOutput is null => new([], "the shadow's output was not kept (recordShadowResult named no outputDigest)"),
            _ when correction is null || correctionKind is null => new([], "the corrected label's blob is not in the store"),
            _ => LabelBlobAgreement.Of(correctionKind.Value, correction, shadowOutput),
        };

    /// <summary>Compares every shadow result beside <paramref name="productionResultId"/> with the latest verdict on it.</summary>
    /// <returns>How many comparisons were recorded.</returns>
    public static async Task<int> CompareAsync(IDocumentStore store, IBlobStore blobs, Guid productionResultId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        IReadOnlyList<ShadowResult> shadows;
        GivenFeedback? feedback;
        LabelRevision? correction = null;
        await using (var query = store.QuerySession())
        {
            feedback = (await query.Query<GivenFeedback>().Where(given => given.InferenceResultId == productionResultId).ToListAsync(cancellationToken))
                .OrderBy(given => given.GivenAt).ThenBy(given => given.Id).LastOrDefault();
            if (feedback is null)
            {
                return 0;
            }
            shadows = await query.Query<ShadowResult>().Where(shadow => shadow.ProductionResultId == productionResultId).ToListAsync(cancellationToken);
            if (feedback.CorrectedLabelRevisionId is { } revisionId)
            {
                correction = await query.LoadAsync<LabelRevision>(revisionId, cancellationToken);
            }
        }
        var correctionBlob = correction is null ? null : await ReadAsync(blobs, correction.BlobDigest, cancellationToken);
        var recorded = 0;
        foreach (var shadow in shadows.Where(shadow => shadow.Feedback?.FeedbackId != feedback.Id))
        {
            var shadowOutput = feedback.Verdict == FeedbackVerdict.Correct && shadow.OutputDigest is { } digest ? await ReadAsync(blobs, digest, cancellationToken) : null;
            var agreement = AgreementOf(shadow, feedback, correction?.Kind, correctionBlob, shadowOutput);
            var appended = false;
            await StreamDecision.DecideAsync<ShadowResult>(store, shadow.Id, current =>
            {
                var events = Decide(current, feedback, agreement, now);
                appended = events.Count > 0;
                return events;
            }, cancellationToken);
            recorded += appended ? 1 : 0;
        }
        return recorded;
    }

    private static async Task<byte[]?> ReadAsync(IBlobStore blobs, string digest, CancellationToken cancellationToken)
    {
        if (!BlobDigest.TryParse(digest, out var parsed))
        {
            return null;
        }
        await using var stream = await blobs.OpenReadAsync(parsed.Value, cancellationToken);
        if (stream is null)
        {
            return null;
        }
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }
}

/// <param name="Labels">Per label; empty when there is no right answer to compare with, or it could not be compared.</param>
/// <param name="Unscored">Why a correction could not be compared, or null.</param>
public sealed record ShadowAgreementWithFeedback(IReadOnlyList<LabelAgreement> Labels, string? Unscored);
