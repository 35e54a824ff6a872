using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Models;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Labels;

/// <summary>Record what a model version predicted for a case (the mask or annotation is a blob), to show the annotator.</summary>
public sealed record PredictLabel(Guid CaseId, Guid ModelVersionId, LabelKind Kind, string BlobDigest)
{
    public static LabelPredicted Decide(Case? current, ModelVersion? version, PredictLabel command, Guid predictionId, string by, DateTimeOffset now)
    {
        if (current is null)
        {
            throw DomainException.NotFound(ErrorCodes.CaseNotFound, "Case", command.CaseId);
        }
        if (version is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelVersionNotFound, "Model version", command.ModelVersionId);
        }
        var digest = BlobReference.Require(command.BlobDigest, "blobDigest");
        return new LabelPredicted(current.Id, predictionId, version.ModelId, version.Id, command.Kind, digest.ToString(), by, now);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<CaseGraphType>, Case>("predictLabel")
        .AuthorizeWithRoles(Roles.Service, Roles.MlEngineer)
        .Argument<NonNullGraphType<PredictLabelInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<PredictLabel>("input");
            var cancellationToken = context.CancellationToken;
            ModelVersion? version;
            await using (var query = context.Store().QuerySession())
            {
                version = await ModelQueries.FindVersionAsync(query, command.ModelVersionId, cancellationToken);
            }
            var predictionId = Guid.CreateVersion7();
            return (await StreamDecision.DecideAsync<Case>(context.Store(), command.CaseId,
                current => [Decide(current, version, command, predictionId, context.Actor(), context.Now())], cancellationToken))!;
        });
}

public sealed class PredictLabelInputType : AutoRegisteringInputObjectGraphType<PredictLabel>
{
    public PredictLabelInputType() => Name = "PredictLabelInput";
}

public sealed class LabelPredictionGraphType : ObjectGraphType<LabelPrediction>
{
    public LabelPredictionGraphType()
    {
        Name = "LabelPrediction";
        Field(prediction => prediction.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(prediction => prediction.ModelId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(prediction => prediction.VersionId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(prediction => prediction.Kind, type: typeof(NonNullGraphType<LabelKindGraphType>));
        Field(prediction => prediction.BlobDigest);
        Field(prediction => prediction.PredictedBy);
        Field(prediction => prediction.PredictedAt);
    }
}
