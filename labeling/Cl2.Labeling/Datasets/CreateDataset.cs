using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Datasets;

/// <summary>Create a dataset. A research dataset is de-identified on the way in (PS3.15 Basic Profile).</summary>
public sealed record CreateDataset(string Name, string? Description, bool? Research)
{
    public const int MaxNameLength = 200;

    public static DatasetCreated Decide(CreateDataset command, Guid datasetId, string by, DateTimeOffset now)
    {
        var name = command.Name.Trim();
        if (name.Length is 0 or > MaxNameLength)
        {
            throw DomainException.Invalid($"A dataset name has 1 to {MaxNameLength} characters.");
        }
        return new DatasetCreated(datasetId, name, command.Description?.Trim() ?? "", command.Research ?? false, by, now);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<DatasetGraphType>, Dataset>("createDataset")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<CreateDatasetInputType>>("input")
        .ResolveAsync(async context =>
        {
            var created = Decide(context.GetArgument<CreateDataset>("input"), Guid.CreateVersion7(), context.Actor(), context.Now());
            await StreamDecision.StartAsync<Dataset>(context.Store(), created.DatasetId, created, context.CancellationToken);
            return Dataset.Create(created) with { Version = 1 };
        });
}

public sealed class CreateDatasetInputType : AutoRegisteringInputObjectGraphType<CreateDataset>
{
    public CreateDatasetInputType() => Name = "CreateDatasetInput";
}
