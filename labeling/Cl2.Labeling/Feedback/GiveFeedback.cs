using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Inference;
using Cl2.Labeling.Labels;
using Cl2.Labeling.Retraining;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Feedback;

/// <summary>
/// A radiologist accepts, rejects or corrects an inference result. A correction names the label revision that holds
/// the corrected label (submitted first with submitLabel), so the next training run can learn from it.
/// </summary>
public sealed record GiveFeedback(Guid InferenceResultId, FeedbackVerdict Verdict, string? Comment, Guid? CorrectedLabelRevisionId)
{
    public const int MaxCommentLength = 4000;

    public static FeedbackGiven Decide(InferenceResult? result, LabelRevision? correction, GiveFeedback command, Guid feedbackId, string by, DateTimeOffset now)
    {
        if (result is null)
        {
            throw DomainException.NotFound(ErrorCodes.InferenceResultNotFound, "Inference result", command.InferenceResultId);
        }
        if (result is not { ModelId: { } modelId, VersionId: { } versionId })
        {
            throw DomainException.Invalid($"Result {result.Id} ran no model ({result.Pipeline}{(result.Failure is { } failure ? $", {failure}" : "")}): there is no model output to give feedback on.");
        }
        if (command.Comment is { Length: > MaxCommentLength })
        {
            throw DomainException.Invalid($"A comment has at most {MaxCommentLength} characters.");
        }
        switch (command.Verdict, command.CorrectedLabelRevisionId)
        {
            case (FeedbackVerdict.Correct, null):
                throw DomainException.Invalid("A correction names its correctedLabelRevisionId: submit the corrected label first.");
            case (FeedbackVerdict.Correct, { } revisionId) when correction is null || correction.Id != revisionId:
                throw DomainException.NotFound(ErrorCodes.LabelRevisionNotFound, "Label revision", revisionId);
            case (not FeedbackVerdict.Correct, not null):
                throw DomainException.Invalid("Only a correction names a correctedLabelRevisionId.");
        }
        return new FeedbackGiven(feedbackId, result.Id, result.StudyInstanceUid, modelId, versionId, command.Verdict,
            string.IsNullOrWhiteSpace(command.Comment) ? null : command.Comment.Trim(), command.CorrectedLabelRevisionId, by, now);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<FeedbackGraphType>, GivenFeedback>("giveFeedback")
        .AuthorizeWithRoles(Roles.Radiologist)
        .Argument<NonNullGraphType<GiveFeedbackInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<GiveFeedback>("input");
            var cancellationToken = context.CancellationToken;
            var (feedbackId, caseId, by, now) = (Guid.CreateVersion7(), Guid.CreateVersion7(), context.Actor(), context.Now());
            IReadOnlyList<(Guid StreamId, object Event)> feedbackCase = [];
            // The verdict and its case in the model's feedback dataset are one commit; a case or dataset created by a
            // concurrent verdict on the same study makes the decision run again and find it.
            var started = await StreamDecision.StartManyAsync<GivenFeedback, FeedbackGiven>(context.Store(),
                async (query, token) =>
                {
                    var result = await query.LoadAsync<InferenceResult>(command.InferenceResultId, token);
                    var correction = command.CorrectedLabelRevisionId is { } revisionId
                        ? await query.LoadAsync<LabelRevision>(revisionId, token)
                        : null;
                    var given = Decide(result, correction, command, feedbackId, by, now);
                    var model = await query.LoadAsync<Models.Model>(given.ModelId, token);
                    var datasetId = FeedbackCase.DatasetIdOf(given.ModelId);
                    var datasetExists = await query.LoadAsync<Datasets.Dataset>(datasetId, token) is not null;
                    var existing = await query.Query<Case>()
                        .FirstOrDefaultAsync(@case => @case.DatasetId == datasetId && @case.StudyInstanceUid == given.StudyInstanceUid, token);
                    feedbackCase = FeedbackCase.Decide(given, model?.Name, datasetExists, existing, caseId);
                    return [given];
                },
                given => given.FeedbackId,
                _ => feedbackCase,
                cancellationToken);
            var given = started[0];
            // A shadow that ran beside the judged result is compared with the verdict (docs/closed-loop.md, "Shadow mode").
            // The verdict is committed: a failure here is logged, not answered, so that no one gives the verdict twice.
            try
            {
                await Shadow.CompareShadowWithFeedback.CompareAsync(context.Store(), context.RequestServices!.GetRequiredService<Blobs.IBlobStore>(),
                    given.InferenceResultId, now, cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                context.RequestServices!.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GiveFeedback)).LogWarning(exception,
                    "Comparing the shadow results beside result {ResultId} with verdict {FeedbackId} failed; a retried recordShadowResult makes it",
                    given.InferenceResultId, given.FeedbackId);
            }
            if (given.Verdict == FeedbackVerdict.Correct)
            {
                await RetrainingTrigger.CheckAsync(context.Store(), RetrainingTrigger.ArchiveOf(context.RequestServices!), given.ModelId, context.Now(), cancellationToken);
            }
            return GivenFeedback.Create(given) with { Version = 1 };
        });
}

public sealed class FeedbackVerdictGraphType : EnumerationGraphType<FeedbackVerdict>
{
    public FeedbackVerdictGraphType() => Name = "FeedbackVerdict";
}

public sealed class GiveFeedbackInputType : AutoRegisteringInputObjectGraphType<GiveFeedback>
{
    public GiveFeedbackInputType() => Name = "GiveFeedbackInput";
}
