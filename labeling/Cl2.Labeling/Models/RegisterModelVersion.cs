using Cl2.Labeling.Blobs;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Feedback;
using Cl2.Labeling.Labels;
using Cl2.Labeling.Training;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Models;

/// <summary>Register a trained or imported version of a model as a candidate, with its metrics and where it came from. A
/// trained version names its data digest (and its base version, labels, feedback, job); an imported one names
/// <see cref="ImportedFrom"/> instead, and no training lineage.</summary>
public sealed record RegisterModelVersion(
    Guid ModelId,
    IReadOnlyList<Metric> Metrics,
    string ArtifactDigest,
    Guid? BaseVersionId,
    IReadOnlyList<Guid>? LabelRevisionIds,
    IReadOnlyList<Guid>? FeedbackIds,
    string? DataDigest,
    string CodeVersion,
    Guid? TrainingJobId = null,
    ModelImport? ImportedFrom = null,
    IReadOnlyList<AcceptedResultLabel>? AcceptedResults = null)
{
    /// <summary>The longest description an import may carry.</summary>
    public const int MaxImportDescriptionLength = 1000;

    /// <summary>What the lineage names and exists: the label revisions and feedback found, and the training job.</summary>
    /// <param name="Feedback">The feedback named (corrections and accepted results), by id.</param>
    public sealed record Known(IReadOnlySet<Guid> LabelRevisionIds, IReadOnlyDictionary<Guid, GivenFeedback> Feedback, TrainingJob? TrainingJob)
    {
        public static readonly Known Nothing = new(new HashSet<Guid>(), new Dictionary<Guid, GivenFeedback>(), null);
    }

    public static ModelVersionRegistered Decide(
        Model? model,
        Known known,
        RegisterModelVersion command,
        Guid versionId,
        string by,
        DateTimeOffset now)
    {
        if (model is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelNotFound, "Model", command.ModelId);
        }
        var artifactDigest = BlobReference.Require(command.ArtifactDigest, "artifactDigest");
        var (dataDigest, imported) = Origin(command);
        if (string.IsNullOrWhiteSpace(command.CodeVersion))
        {
            throw DomainException.Invalid("codeVersion is required: a version must say which code trained it.");
        }
        if (command.BaseVersionId is { } baseVersion && model.FindVersion(baseVersion) is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelVersionNotFound, "Base version", baseVersion);
        }
        foreach (var metric in command.Metrics)
        {
            if (string.IsNullOrWhiteSpace(metric.Name) || !double.IsFinite(metric.Value))
            {
                throw DomainException.Invalid($"Metric '{metric.Name}' needs a name and a finite value.");
            }
        }
        if (command.Metrics.Select(metric => metric.Name).Distinct(StringComparer.Ordinal).Count() != command.Metrics.Count)
        {
            throw DomainException.Invalid("Each metric name appears once.");
        }
        var labelRevisionIds = command.LabelRevisionIds ?? [];
        if (labelRevisionIds.FirstOrDefault(id => !known.LabelRevisionIds.Contains(id)) is var unknown && unknown != Guid.Empty)
        {
            throw DomainException.NotFound(ErrorCodes.LabelRevisionNotFound, "Label revision", unknown);
        }
        var feedbackIds = command.FeedbackIds ?? [];
        if (feedbackIds.FirstOrDefault(id => !known.Feedback.ContainsKey(id)) is var unknownFeedback && unknownFeedback != Guid.Empty)
        {
            throw DomainException.NotFound(ErrorCodes.FeedbackNotFound, "Feedback", unknownFeedback);
        }
        var acceptedResults = AcceptedResultsOf(known, command.AcceptedResults ?? []);
        if (command.TrainingJobId is { } jobId && (known.TrainingJob is null || known.TrainingJob.ModelId != model.Id))
        {
            throw DomainException.NotFound(ErrorCodes.TrainingJobNotFound, $"Training job of model {model.Id}", jobId);
        }
        var lineage = new ModelLineage(command.BaseVersionId, [.. labelRevisionIds.Distinct()], [.. feedbackIds.Distinct()],
            dataDigest?.ToString(), command.CodeVersion.Trim(), command.TrainingJobId, imported, known.TrainingJob?.DataCut,
            acceptedResults.Count > 0 ? acceptedResults : null);
        return new ModelVersionRegistered(model.Id, versionId, model.Versions.Count + 1, command.Metrics, lineage, artifactDigest.ToString(), by, now);
    }

    /// <summary>The accepted results a version trained on: each an ACCEPT verdict on that inference result, once, with a
    /// weight in (0, 1] (a weight of 0 means the result was not trained on, so it is not listed).</summary>
    private static IReadOnlyList<AcceptedResultLabel> AcceptedResultsOf(Known known, IReadOnlyList<AcceptedResultLabel> accepted)
    {
        foreach (var item in accepted)
        {
            if (!known.Feedback.TryGetValue(item.FeedbackId, out var given))
            {
                throw DomainException.NotFound(ErrorCodes.FeedbackNotFound, "Feedback", item.FeedbackId);
            }
            if (given.Verdict != FeedbackVerdict.Accept || given.InferenceResultId != item.InferenceResultId)
            {
                throw DomainException.Invalid($"acceptedResults: feedback {item.FeedbackId} is a {given.Verdict.ToString().ToUpperInvariant()} of result " +
                    $"{given.InferenceResultId}, not an ACCEPT of result {item.InferenceResultId}; list corrections in feedbackIds.");
            }
            if (!double.IsFinite(item.Weight) || item.Weight <= 0 || item.Weight > 1)
            {
                throw DomainException.Invalid($"acceptedResults: the weight of feedback {item.FeedbackId} is {item.Weight}; a weight is above 0 and at most 1 " +
                    "(leave out a result that was not trained on).");
            }
        }
        if (accepted.Select(item => item.FeedbackId).Distinct().Count() != accepted.Count)
        {
            throw DomainException.Invalid("acceptedResults names each feedback once.");
        }
        return accepted;
    }

    /// <summary>A trained version's data digest, or an imported version's source (and its data digest only if it gives one).</summary>
    private static (BlobDigest? DataDigest, ModelImport? Imported) Origin(RegisterModelVersion command)
    {
        if (command.ImportedFrom is not { } imported)
        {
            return string.IsNullOrWhiteSpace(command.DataDigest)
                ? throw DomainException.Invalid("dataDigest is required for a trained version: the digest of the data it was trained on. A version trained elsewhere gives importedFrom instead.")
                : (BlobReference.Require(command.DataDigest, "dataDigest"), null);
        }
        if (command.BaseVersionId is not null || command.LabelRevisionIds is { Count: > 0 } || command.FeedbackIds is { Count: > 0 }
            || command.AcceptedResults is { Count: > 0 } || command.TrainingJobId is not null)
        {
            throw DomainException.Invalid("An imported version was not trained here: leave baseVersionId, labelRevisionIds, feedbackIds, acceptedResults and trainingJobId out.");
        }
        var source = BlobReference.Require(imported.SourceDigest, "importedFrom.sourceDigest");
        var description = imported.Description?.Trim() ?? "";
        if (description.Length is 0 or > MaxImportDescriptionLength)
        {
            throw DomainException.Invalid($"importedFrom.description must say what was imported (1-{MaxImportDescriptionLength} characters), e.g. the file and where it was trained.");
        }
        var dataDigest = string.IsNullOrWhiteSpace(command.DataDigest) ? (BlobDigest?)null : BlobReference.Require(command.DataDigest, "dataDigest");
        return (dataDigest, new ModelImport(source.ToString(), description));
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<ModelVersionGraphType>, ModelVersion>("registerModelVersion")
        .AuthorizeWithRoles(Roles.MlEngineer, Roles.Service)
        .Argument<NonNullGraphType<RegisterModelVersionInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RegisterModelVersion>("input");
            var cancellationToken = context.CancellationToken;
            Known known;
            await using (var query = context.Store().QuerySession())
            {
                var revisions = await query.LoadManyAsync<LabelRevision>(cancellationToken, command.LabelRevisionIds ?? []);
                var feedback = await query.LoadManyAsync<GivenFeedback>(cancellationToken,
                    [.. (command.FeedbackIds ?? []).Concat((command.AcceptedResults ?? []).Select(item => item.FeedbackId)).Distinct()]);
                var job = command.TrainingJobId is { } jobId ? await query.LoadAsync<TrainingJob>(jobId, cancellationToken) : null;
                known = new Known(revisions.Select(revision => revision.Id).ToHashSet(), feedback.ToDictionary(given => given.Id), job);
            }
            var versionId = Guid.CreateVersion7();
            // Two workers registering at once both get a version: the second decides again on the first's, and numbers after it.
            var model = await StreamDecision.DecideAsync<Model>(context.Store(), command.ModelId,
                current => [Decide(current, known, command, versionId, context.Actor(), context.Now())], cancellationToken);
            return model!.FindVersion(versionId);
        });
}

public sealed class MetricInputType : AutoRegisteringInputObjectGraphType<Metric>
{
    public MetricInputType() => Name = "MetricInput";
}

public sealed class ModelImportInputType : AutoRegisteringInputObjectGraphType<ModelImport>
{
    public ModelImportInputType()
    {
        Name = "ModelImportInput";
        Description = "Where an imported version's weights came from: the source file's digest (sha256:…) and what it is.";
    }
}

public sealed class AcceptedResultLabelInputType : AutoRegisteringInputObjectGraphType<AcceptedResultLabel>
{
    public AcceptedResultLabelInputType()
    {
        Name = "AcceptedResultLabelInput";
        Description = "An accepted result the version trained on (its ACCEPT feedback and inference result) and its samples' weight in the loss, in (0, 1].";
    }
}

public sealed class RegisterModelVersionInputType : AutoRegisteringInputObjectGraphType<RegisterModelVersion>
{
    public RegisterModelVersionInputType() => Name = "RegisterModelVersionInput";
}
