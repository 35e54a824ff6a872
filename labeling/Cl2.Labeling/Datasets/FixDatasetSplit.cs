using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Datasets;

/// <summary>
/// Divide a dataset's cases into train, validation and test, once: every model trained on the dataset is then evaluated
/// on the same held-out cases. The division is a deterministic shuffle of the cases' studies by <see cref="Seed"/>, so
/// the same studies with the same seed split the same way in any dataset, whatever ids their cases got.
/// </summary>
public sealed record FixDatasetSplit(Guid DatasetId, double ValidationFraction, double TestFraction, int Seed)
{
    /// <param name="cases">The dataset's cases and their studies (a dataset holds each study once).</param>
    public static DatasetSplitFixed Decide(Dataset? dataset, IReadOnlyList<(Guid Id, string StudyInstanceUid)> cases, FixDatasetSplit command, string by,
        DateTimeOffset now)
    {
        if (dataset is null)
        {
            throw DomainException.NotFound(ErrorCodes.DatasetNotFound, "Dataset", command.DatasetId);
        }
        if (dataset.Split is not null)
        {
            throw new DomainException(ErrorCodes.DatasetSplitAlreadyFixed,
                $"Dataset '{dataset.Name}' was split at {dataset.Split.FixedAt:O}; a fixed split does not change (create a new dataset to split differently).");
        }
        if (command.ValidationFraction is < 0 or > 1 || command.TestFraction is < 0 or > 1 || command.ValidationFraction + command.TestFraction >= 1)
        {
            throw DomainException.Invalid("validationFraction and testFraction are between 0 and 1, and leave some cases for training.");
        }
        if (cases.Count == 0)
        {
            throw DomainException.Invalid($"Dataset '{dataset.Name}' has no cases to split yet: add cases first.");
        }
        // Ranked by study, not by case id: case ids are new in every dataset, so ranking by them would split the same
        // studies differently each time (two `./cl2 demo` runs with one seed trained and tested on different cases).
        var shuffled = cases.DistinctBy(@case => @case.Id).OrderBy(@case => Rank(command.Seed, @case.StudyInstanceUid)).ThenBy(@case => @case.Id)
            .Select(@case => @case.Id).ToList();
        var test = (int)Math.Round(shuffled.Count * command.TestFraction, MidpointRounding.AwayFromZero);
        var validation = (int)Math.Round(shuffled.Count * command.ValidationFraction, MidpointRounding.AwayFromZero);
        validation = Math.Min(validation, shuffled.Count - test);
        return new DatasetSplitFixed(dataset.Id, command.Seed,
            [.. shuffled.Skip(test + validation).Order()],
            [.. shuffled.Skip(test).Take(validation).Order()],
            [.. shuffled.Take(test).Order()],
            by, now);
    }

    /// <summary>A case's place in the shuffle: a hash of seed and study UID, the same on every machine and .NET version.</summary>
    private static ulong Rank(int seed, string studyInstanceUid)
    {
        var input = new byte[4 + Encoding.ASCII.GetByteCount(studyInstanceUid)];
        BinaryPrimitives.WriteInt32LittleEndian(input, seed);
        Encoding.ASCII.GetBytes(studyInstanceUid, input.AsSpan(4));
        return BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(input));
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<DatasetGraphType>, Dataset>("fixDatasetSplit")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<FixDatasetSplitInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<FixDatasetSplit>("input");
            var cancellationToken = context.CancellationToken;
            IReadOnlyList<(Guid, string)> cases;
            await using (var query = context.Store().QuerySession())
            {
                cases = [.. (await query.Query<Case>().Where(@case => @case.DatasetId == command.DatasetId).ToListAsync(cancellationToken))
                    .Select(@case => (@case.Id, @case.StudyInstanceUid))];
            }
            return (await StreamDecision.DecideAsync<Dataset>(context.Store(), command.DatasetId,
                dataset => [Decide(dataset, cases, command, context.Actor(), context.Now())], cancellationToken))!;
        });
}

public sealed class FixDatasetSplitInputType : AutoRegisteringInputObjectGraphType<FixDatasetSplit>
{
    public FixDatasetSplitInputType() => Name = "FixDatasetSplitInput";
}

public sealed class DatasetSplitGraphType : ObjectGraphType<DatasetSplitFixed>
{
    public DatasetSplitGraphType()
    {
        Name = "DatasetSplit";
        Field(split => split.Seed);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>, IEnumerable<Guid>>("trainCaseIds").Resolve(context => context.Source.TrainCaseIds);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>, IEnumerable<Guid>>("validationCaseIds").Resolve(context => context.Source.ValidationCaseIds);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>, IEnumerable<Guid>>("testCaseIds").Resolve(context => context.Source.TestCaseIds);
        Field(split => split.FixedBy);
        Field(split => split.FixedAt);
    }
}
