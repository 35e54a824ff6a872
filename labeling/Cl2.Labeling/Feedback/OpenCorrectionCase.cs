using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Cl2.Labeling.Datasets;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Inference;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Feedback;

/// <summary>
/// A radiologist about to correct a result on a study that is a case of no dataset (a study straight from the PACS):
/// the study's case in the model's feedback dataset, opened before the correction, so that the corrected label has a case
/// to be a revision of; the CORRECT verdict that follows records itself on the same case (<see cref="FeedbackCase"/>).
/// The feedback dataset is created with it when this is the model's first; a study that has its case there already
/// answers that case and records nothing.
/// </summary>
public sealed record OpenCorrectionCase(Guid InferenceResultId)
{
    /// <returns>The feedback dataset when it is new, and the study's case when it is new to it.</returns>
    public static (DatasetCreated? Dataset, CaseAdded? Case) Decide(InferenceResult? result, string? modelName, bool datasetExists, Case? existing,
        OpenCorrectionCase command, Guid newCaseId, string by, DateTimeOffset now)
    {
        if (result is null)
        {
            throw DomainException.NotFound(ErrorCodes.InferenceResultNotFound, "Inference result", command.InferenceResultId);
        }
        if (result.ModelId is not { } modelId)
        {
            throw DomainException.Invalid($"Result {result.Id} ran no model ({result.Pipeline}): there is no model output to correct.");
        }
        var datasetId = FeedbackCase.DatasetIdOf(modelId);
        var name = modelName ?? modelId.ToString();
        var dataset = datasetExists ? null : new DatasetCreated(datasetId, $"{name} feedback",
            $"Studies radiologists accepted, rejected or corrected results of model {name} on.", false, by, now);
        return (dataset, existing is null ? new CaseAdded(newCaseId, datasetId, result.StudyInstanceUid, by, now) : null);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<CaseGraphType>, Case>("openCorrectionCase")
        .AuthorizeWithRoles(Roles.Radiologist)
        .Description("The result's study as a case of its model's feedback dataset (made now if it is not one yet), to submit a correction on before giveFeedback(CORRECT).")
        .Argument<NonNullGraphType<OpenCorrectionCaseInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<OpenCorrectionCase>("input");
            var (newCaseId, by, now) = (Guid.CreateVersion7(), context.Actor(), context.Now());
            Guid? caseId = null;
            DatasetCreated? dataset = null;
            // The case and (for a model's first) its dataset are one commit; a concurrent opening of the same study makes
            // the unique index on (dataset, study) refuse one of them, which then decides again and finds the case.
            await StreamDecision.StartManyAsync<Case, CaseAdded>(context.Store(),
                async (query, token) =>
                {
                    var result = await query.LoadAsync<InferenceResult>(command.InferenceResultId, token);
                    var modelId = result?.ModelId ?? Guid.Empty;
                    var datasetId = FeedbackCase.DatasetIdOf(modelId);
                    var model = await query.LoadAsync<Models.Model>(modelId, token);
                    var existing = result is null ? null : await query.Query<Case>()
                        .FirstOrDefaultAsync(@case => @case.DatasetId == datasetId && @case.StudyInstanceUid == result.StudyInstanceUid, token);
                    (dataset, var added) = Decide(result, model?.Name, await query.LoadAsync<Dataset>(datasetId, token) is not null, existing,
                        command, newCaseId, by, now);
                    caseId = existing?.Id ?? added!.CaseId;
                    return added is null ? [] : [added];
                },
                added => added.CaseId,
                _ => dataset is null ? [] : [(dataset.DatasetId, (object)dataset)],
                context.CancellationToken);
            await using var session = context.Store().QuerySession();
            return (await session.LoadAsync<Case>(caseId!.Value, context.CancellationToken))!;
        });
}

public sealed class OpenCorrectionCaseInputType : AutoRegisteringInputObjectGraphType<OpenCorrectionCase>
{
    public OpenCorrectionCaseInputType() => Name = "OpenCorrectionCaseInput";
}
