using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Models;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Inference;

/// <summary>A model version ran on a study and wrote results (DICOM SEG / SR instances, named by their SOP Instance UIDs).</summary>
public sealed record RecordInferenceResult(string StudyInstanceUid, Guid ModelVersionId, string Pipeline, IReadOnlyList<string> ResultUids, double DurationMs)
{
    public static InferenceCompleted Decide(ModelVersion? version, RecordInferenceResult command, Guid resultId, string by, DateTimeOffset now)
    {
        if (version is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelVersionNotFound, "Model version", command.ModelVersionId);
        }
        if (command.ResultUids.Prepend(command.StudyInstanceUid).FirstOrDefault(uid => !AddCases.IsUid(uid)) is { } invalid)
        {
            throw DomainException.Invalid($"'{invalid}' is not a DICOM UID (digits and dots, at most 64 characters).");
        }
        if (string.IsNullOrWhiteSpace(command.Pipeline))
        {
            throw DomainException.Invalid("pipeline names the inference pipeline that ran (e.g. \"brain-tumour-seg\").");
        }
        if (!double.IsFinite(command.DurationMs) || command.DurationMs < 0)
        {
            throw DomainException.Invalid("durationMs is a finite number, 0 or more.");
        }
        return new InferenceCompleted(resultId, command.StudyInstanceUid, version.ModelId, version.Id, command.Pipeline.Trim(),
            [.. command.ResultUids], command.DurationMs, by, now);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<InferenceResultGraphType>, InferenceResult>("recordInferenceResult")
        .AuthorizeWithRoles(Roles.Service)
        .Argument<NonNullGraphType<RecordInferenceResultInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RecordInferenceResult>("input");
            var cancellationToken = context.CancellationToken;
            await using var query = context.Store().QuerySession();
            var version = await ModelQueries.FindVersionAsync(query, command.ModelVersionId, cancellationToken);
            var completed = Decide(version, command, Guid.CreateVersion7(), context.Actor(), context.Now());
            await StreamDecision.StartAsync<InferenceResult>(context.Store(), completed.ResultId, completed, cancellationToken);
            return InferenceResult.Create(completed) with { Version = 1 };
        });
}

public sealed class RecordInferenceResultInputType : AutoRegisteringInputObjectGraphType<RecordInferenceResult>
{
    public RecordInferenceResultInputType() => Name = "RecordInferenceResultInput";
}
