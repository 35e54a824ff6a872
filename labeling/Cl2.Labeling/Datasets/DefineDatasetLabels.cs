using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Labels;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Datasets;

/// <summary>
/// Say what a dataset's cases are labelled with: the kind of label and its labels' names, so that the annotator workspace
/// names its segments and offers its classes from them. Segmentation: each label is a voxel value of the mask (1–255, 0
/// being background) and its name, as in a mask's <c>labelNames</c> (docs/training.md, "Mask format"). Classification: each
/// label is one true/false of the classification label's <c>labels</c>, by name, without a value. Defining them again
/// replaces them; the events keep what they were before. Channels, when given, are the series a label is drawn over, in
/// the order training reads them as input channels (brain MRI: T1, T1c, T2, FLAIR): the workspace matches a study's series
/// to them by Series Description and saves a label that references one series per channel (docs/training.md, "Mask format").
/// </summary>
public sealed record DefineDatasetLabels(Guid DatasetId, LabelKind Kind, IReadOnlyList<DatasetLabel> Labels, IReadOnlyList<string>? Channels = null)
{
    public const int MaxNameLength = 100;

    /// <summary>The most series one label is drawn over (a multi-parametric study has a handful of sequences).</summary>
    public const int MaxChannels = 16;

    /// <summary>A mask holds one byte per voxel: values 1 to 255 name labels, 0 is background.</summary>
    public const int MaxSegmentValue = byte.MaxValue;

    public static DatasetLabelsDefined Decide(Dataset? dataset, DefineDatasetLabels command, string by, DateTimeOffset now)
    {
        if (dataset is null)
        {
            throw DomainException.NotFound(ErrorCodes.DatasetNotFound, "Dataset", command.DatasetId);
        }
        if (command.Kind is not (LabelKind.Segmentation or LabelKind.Classification))
        {
            throw DomainException.Invalid($"A dataset's labels are SEGMENTATION or CLASSIFICATION labels, not {command.Kind.ToString().ToUpperInvariant()}.");
        }
        if (command.Labels.Count == 0)
        {
            throw DomainException.Invalid("Name at least one label.");
        }
        var labels = command.Labels.Select(label => label with { Name = label.Name.Trim() }).ToList();
        if (labels.FirstOrDefault(label => label.Name.Length is 0 or > MaxNameLength) is { } badName)
        {
            throw DomainException.Invalid($"A label name has 1 to {MaxNameLength} characters ('{badName.Name}' has {badName.Name.Length}).");
        }
        if (labels.GroupBy(label => label.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(group => group.Count() > 1) is { } twice)
        {
            throw DomainException.Invalid($"The label name '{twice.Key}' is given twice; each label has its own name.");
        }
        if (command.Kind == LabelKind.Classification && labels.FirstOrDefault(label => label.Value is not null) is { } valued)
        {
            throw DomainException.Invalid($"Classification label '{valued.Name}' has a value; a classification label is a name only (true or false per case).");
        }
        if (command.Kind == LabelKind.Segmentation)
        {
            if (labels.FirstOrDefault(label => label.Value is not (>= 1 and <= MaxSegmentValue)) is { } outside)
            {
                throw DomainException.Invalid($"Segmentation label '{outside.Name}' needs a voxel value from 1 to {MaxSegmentValue} (0 is background), not {outside.Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}.");
            }
            if (labels.GroupBy(label => label.Value).FirstOrDefault(group => group.Count() > 1) is { } shared)
            {
                throw DomainException.Invalid($"Voxel value {shared.Key} is given to {string.Join(" and ", shared.Select(label => $"'{label.Name}'"))}; each label has its own value.");
            }
            labels = [.. labels.OrderBy(label => label.Value)];
        }
        return new DatasetLabelsDefined(dataset.Id, command.Kind, labels, by, now, DecideChannels(command.Channels));
    }

    /// <summary>The channel names trimmed, in the order given; null for one series (none or one name given).</summary>
    private static IReadOnlyList<string>? DecideChannels(IReadOnlyList<string>? given)
    {
        var channels = (given ?? []).Select(channel => channel.Trim()).ToList();
        if (channels.Count > MaxChannels)
        {
            throw DomainException.Invalid($"A label is drawn over at most {MaxChannels} series; {channels.Count} channels are given.");
        }
        if (channels.FirstOrDefault(channel => channel.Length is 0 or > MaxNameLength) is { } badName)
        {
            throw DomainException.Invalid($"A channel name has 1 to {MaxNameLength} characters ('{badName}' has {badName.Length}).");
        }
        if (channels.GroupBy(channel => channel, StringComparer.OrdinalIgnoreCase).FirstOrDefault(group => group.Count() > 1) is { } twice)
        {
            throw DomainException.Invalid($"The channel '{twice.Key}' is given twice; each input channel is its own series.");
        }
        return channels.Count > 1 ? channels : null;
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<DatasetGraphType>, Dataset>("defineDatasetLabels")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Description("Sets the kind of label a dataset's cases get, the labels' names (segmentation: with their voxel values) and, for a label over several series, its input channels in order.")
        .Argument<NonNullGraphType<DefineDatasetLabelsInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<DefineDatasetLabels>("input");
            return (await StreamDecision.DecideAsync<Dataset>(context.Store(), command.DatasetId,
                dataset => [Decide(dataset, command, context.Actor(), context.Now())], context.CancellationToken))!;
        });

    /// <summary>The dataset's <c>labelKind</c> and <c>labels</c>, as defined last.</summary>
    public static void AddFields(ObjectGraphType<Dataset> dataset)
    {
        dataset.Field<LabelKindGraphType, LabelKind?>("labelKind")
            .Description("The kind of label the dataset's cases get; null until an ML engineer defines the dataset's labels.")
            .Resolve(context => context.Source.Labels?.Kind);
        dataset.Field<NonNullGraphType<ListGraphType<NonNullGraphType<DatasetLabelGraphType>>>, IReadOnlyList<DatasetLabel>>("labels")
            .Description("The labels' names (segmentation: by voxel value); empty until defined.")
            .Resolve(context => context.Source.Labels?.Labels ?? []);
        dataset.Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>, IReadOnlyList<string>>("channels")
            .Description("The input channels a label is drawn over, in the order its referencedSeriesInstanceUids name their series (e.g. T1, T1c, T2, FLAIR); empty for a label over one series.")
            .Resolve(context => context.Source.Labels?.Channels ?? []);
    }
}

/// <param name="Value">Segmentation: the label's voxel value in the mask; classification: none.</param>
public sealed record DatasetLabel(string Name, int? Value);

public sealed class DatasetLabelGraphType : ObjectGraphType<DatasetLabel>
{
    public DatasetLabelGraphType()
    {
        Name = "DatasetLabel";
        Field(label => label.Name);
        Field(label => label.Value, nullable: true).Description("The voxel value of a segmentation label; null for a classification label.");
    }
}

public sealed class DatasetLabelInputType : AutoRegisteringInputObjectGraphType<DatasetLabel>
{
    public DatasetLabelInputType() => Name = "DatasetLabelInput";
}

public sealed class DefineDatasetLabelsInputType : AutoRegisteringInputObjectGraphType<DefineDatasetLabels>
{
    public DefineDatasetLabelsInputType() => Name = "DefineDatasetLabelsInput";
}
