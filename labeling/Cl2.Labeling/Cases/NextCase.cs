using Cl2.Labeling.Database;
using Cl2.Labeling.Datasets;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.Types;
using Marten;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Cases;

/// <summary>
/// The case an annotator should label next in a dataset: the unlabelled case they hold already, else the best unlabelled
/// case nobody holds, which is assigned to them in the same step. Two annotators asking at once never get the same case
/// (the assignment is appended at the version the case was read at; the loser takes the next one). A case whose model
/// result a radiologist rejected without correcting it comes before the others (<see cref="Case.Priority"/>); then the
/// dataset's active-learning strategy (<see cref="IActiveLearningStrategy"/>, chosen with setActiveLearningStrategy;
/// <c>first</c>, oldest first, when none is chosen) says which is best.
/// A case nextCase hands out is held for <see cref="CasesOptions.AssignmentSeconds"/>, then free for the next annotator;
/// releaseCase frees it earlier.
/// </summary>
public static class NextCase
{
    private const int CandidatesPerRead = 20;

    /// <returns>The assignment, or no events when the case is no longer free.</returns>
    /// <param name="hold">How long the assignment lasts (<see cref="CasesOptions.AssignmentSeconds"/>); null: until released.</param>
    public static IReadOnlyList<object> Decide(Case current, string annotator, DateTimeOffset now, TimeSpan? hold = null) =>
        current.IsFreeAt(now) && current.LabelStatus == LabelStatus.Unlabelled
            ? [new CaseAssigned(current.Id, current.DatasetId, annotator, annotator, now, now + hold)]
            : [];

    public static void AddField(ObjectGraphType query) => query
        .Field<CaseGraphType, Case>("nextCase")
        .Description("The next unlabelled case of the dataset for the caller, assigned to them; null when none is left (DATASET_NOT_FOUND when there is no such dataset).")
        .AuthorizeWithRoles(Roles.Annotator)
        .HasSideEffects()
        .Argument<NonNullGraphType<IdGraphType>>("dataset")
        .ResolveAsync(async context =>
        {
            var datasetId = context.GetId("dataset");
            var annotator = context.Actor();
            var cancellationToken = context.CancellationToken;
            var options = context.RequestServices!.GetRequiredService<IOptions<CasesOptions>>().Value;
            var hold = TimeSpan.FromSeconds(options.AssignmentSeconds);
            var now = context.Now();
            Dataset dataset;
            await using (var session = context.Store().QuerySession())
            {
                var held = await session.Query<Case>()
                    .Where(@case => @case.DatasetId == datasetId && @case.LabelStatus == LabelStatus.Unlabelled && @case.AssignedTo == annotator
                        && (@case.AssignmentExpiresAt == null || @case.AssignmentExpiresAt > now))
                    .OrderBy(@case => @case.AddedAt).ThenBy(@case => @case.Id)
                    .FirstOrDefaultAsync(cancellationToken);
                if (held is not null)
                {
                    return held;
                }
                // "Nothing left" and "no such dataset" must not look alike: an annotator with a mistyped id would wait forever.
                dataset = await session.LoadAsync<Dataset>(datasetId, cancellationToken)
                    ?? throw DomainException.NotFound(ErrorCodes.DatasetNotFound, "Dataset", datasetId);
            }
            var strategies = context.RequestServices!.GetRequiredService<ActiveLearningStrategies>();
            var strategy = dataset.ActiveLearning is { } chosen ? strategies.Find(chosen.Strategy) ?? strategies.Default : strategies.Default;
            return await StreamDecision.ClaimFirstAsync(
                context.Store(),
                async (session, token) =>
                {
                    var free = new FreeCases(datasetId, context.Now(), options.ActiveLearningPoolSize);
                    var rejected = await free.In(session).Where(@case => @case.Priority > 0)
                        .OrderByDescending(@case => @case.Priority).ThenBy(@case => @case.AddedAt).ThenBy(@case => @case.Id)
                        .Take(CandidatesPerRead).ToListAsync(token);
                    return rejected.Count > 0 ? rejected : await strategy.CandidatesAsync(session, free, CandidatesPerRead, token);
                },
                @case => (@case.Id, @case.Version),
                @case => Decide(@case, annotator, context.Now(), hold),
                cancellationToken);
        });
}
