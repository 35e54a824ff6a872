using Cl2.Labeling.Blobs;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Inference;
using Cl2.Labeling.Models;
using GraphQL;
using GraphQL.Types;
using Marten.Exceptions;

namespace Cl2.Labeling.Shadow;

/// <summary>
/// Inference ran version <see cref="VersionId"/> in shadow on the study of production's result <see cref="ProductionResultId"/>
/// and says how far the two agreed on each label. The study, the model and the production version are the production
/// result's, as labeling recorded them. Recorded once per version and production result: a retry answers with the first.
/// <see cref="OutputDigest"/> names the shadow's output, stored first as a blob in the format of a label of its kind, for
/// the comparison with a later correction (<see cref="CompareShadowWithFeedback"/>).
/// </summary>
public sealed record RecordShadowResult(Guid ProductionResultId, Guid VersionId, IReadOnlyList<LabelAgreement> Labels, string? OutputDigest = null)
{
    public const int MaxLabels = 256;

    public static Guid IdOf(Guid productionResultId, Guid versionId) => NameBasedId.Of($"shadow-result:{versionId}", productionResultId);

    public static ShadowResultRecorded Decide(InferenceResult? production, Model? model, RecordShadowResult command, bool outputStored, string by, DateTimeOffset now)
    {
        if (production is null)
        {
            throw DomainException.NotFound(ErrorCodes.InferenceResultNotFound, "Inference result", command.ProductionResultId);
        }
        if (production.Failure is not null || production.VersionId is not { } productionVersionId || model is null)
        {
            throw DomainException.Invalid($"Inference result {production.Id} is not a model's result: a shadow is compared with what a production version made.");
        }
        if (model.FindVersion(command.VersionId) is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelVersionNotFound, $"Model {model.Name}'s version", command.VersionId);
        }
        if (command.VersionId == productionVersionId)
        {
            throw DomainException.Invalid("A shadow is another version than the one that made the production result.");
        }
        if (command.Labels.Count is 0 or > MaxLabels || command.Labels.DistinctBy(label => label.Label).Count() != command.Labels.Count
            || command.Labels.Any(label => string.IsNullOrWhiteSpace(label.Label) || !double.IsFinite(label.Agreement) || label.Agreement is < 0 or > 1))
        {
            throw DomainException.Invalid($"labels names 1 to {MaxLabels} distinct labels, each with an agreement from 0 to 1.");
        }
        if (command.OutputDigest is { } digest && (!BlobDigest.TryParse(digest, out _) || !outputStored))
        {
            throw new DomainException(ErrorCodes.BlobNotFound, $"outputDigest {digest} names no stored blob: store the shadow's output first.");
        }
        return new ShadowResultRecorded(IdOf(production.Id, command.VersionId), model.Id, command.VersionId, productionVersionId, production.Id,
            production.StudyInstanceUid, command.Labels, command.Labels.Average(label => label.Agreement), by, now, command.OutputDigest);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<ShadowResultGraphType>, ShadowResult>("recordShadowResult")
        .AuthorizeWithRoles(Roles.Service)
        .Description("Inference ran a shadow version beside production on a study (delivering nothing) and records how far they agreed.")
        .Argument<NonNullGraphType<RecordShadowResultInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RecordShadowResult>("input");
            var cancellationToken = context.CancellationToken;
            var id = IdOf(command.ProductionResultId, command.VersionId);
            var blobs = context.RequestServices!.GetRequiredService<IBlobStore>();
            await using (var query = context.Store().QuerySession())
            {
                if (await query.LoadAsync<ShadowResult>(id, cancellationToken) is null)
                {
                    var production = await query.LoadAsync<InferenceResult>(command.ProductionResultId, cancellationToken);
                    var model = production?.ModelId is { } modelId ? await query.LoadAsync<Model>(modelId, cancellationToken) : null;
                    var outputStored = command.OutputDigest is { } digest && BlobDigest.TryParse(digest, out var parsed)
                        && await blobs.GetInfoAsync(parsed.Value, cancellationToken) is not null;
                    var shadowed = Decide(production, model, command, outputStored, context.Actor(), context.Now());
                    try
                    {
                        await StreamDecision.StartAsync<ShadowResult>(context.Store(), shadowed.ShadowResultId, shadowed, cancellationToken);
                    }
                    catch (ExistingStreamIdCollisionException)
                    {
                        // The same comparison's first attempt committed in between (a retry before the first call had answered).
                    }
                }
            }
            // A radiologist may have judged production's result already. A retry compares too: the first call may have
            // stopped between its commit and its comparison, and a comparison made already records nothing.
            await CompareShadowWithFeedback.CompareAsync(context.Store(), blobs, command.ProductionResultId, context.Now(), cancellationToken);
            await using var reader = context.Store().QuerySession();
            return (await reader.LoadAsync<ShadowResult>(id, cancellationToken))!;
        });
}

public sealed class RecordShadowResultInputType : AutoRegisteringInputObjectGraphType<RecordShadowResult>
{
    public RecordShadowResultInputType() => Name = "RecordShadowResultInput";
}

public sealed class LabelAgreementInputType : AutoRegisteringInputObjectGraphType<LabelAgreement>
{
    public LabelAgreementInputType() => Name = "LabelAgreementInput";
}
