using Cl2.Labeling.Database;
using Cl2.Labeling.Datasets;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Models;
using Cl2.Labeling.Scoring;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Cases;

/// <summary>
/// Choose how nextCase orders a dataset's cases: <c>first</c>, <c>random</c>, or a strategy that ranks by scores the
/// production version of <see cref="ModelId"/> computes (<c>entropy</c>, <c>mc-dropout</c>, <c>diverse-entropy</c>).
/// Choosing a scored strategy requests a scoring job at once when the model has a version in production.
/// </summary>
public sealed record SetActiveLearningStrategy(Guid DatasetId, string Strategy, Guid? ModelId)
{
    public static ActiveLearningStrategySet Decide(Dataset? dataset, Model? model, SetActiveLearningStrategy command,
        ActiveLearningStrategies strategies, string by, DateTimeOffset now)
    {
        if (dataset is null)
        {
            throw DomainException.NotFound(ErrorCodes.DatasetNotFound, "Dataset", command.DatasetId);
        }
        var strategy = strategies.Find(command.Strategy.Trim())
            ?? throw DomainException.Invalid($"There is no active-learning strategy '{command.Strategy}'; choose one of {string.Join(", ", strategies.Names)}.");
        if (strategy.Scoring is not null && command.ModelId is null)
        {
            throw DomainException.Invalid(
                $"The '{strategy.Name}' strategy ranks cases by scores a model computes: name the model whose production version scores them (modelId).");
        }
        if (command.ModelId is { } modelId && model is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelNotFound, "Model", modelId);
        }
        return new ActiveLearningStrategySet(dataset.Id, strategy.Name, strategy.Scoring is null ? null : command.ModelId, by, now);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<DatasetGraphType>, Dataset>("setActiveLearningStrategy")
        .Description("Sets the strategy nextCase hands the dataset's cases out by; a scored strategy gets a scoring job when the model has a production version.")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<SetActiveLearningStrategyInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<SetActiveLearningStrategy>("input");
            var strategies = context.RequestServices!.GetRequiredService<ActiveLearningStrategies>();
            var store = context.Store();
            var cancellationToken = context.CancellationToken;
            Model? model = null;
            if (command.ModelId is { } modelId)
            {
                await using var session = store.QuerySession();
                model = await session.LoadAsync<Model>(modelId, cancellationToken);
            }
            var dataset = await StreamDecision.DecideAsync<Dataset>(store, command.DatasetId,
                current => [Decide(current, model, command, strategies, context.Actor(), context.Now())], cancellationToken);
            await ScoringRefresh.RequestIfStaleAsync(store, strategies, command.DatasetId, "strategy set", context.Actor(), context.Now(), cancellationToken);
            return dataset!;
        });
}

public sealed class SetActiveLearningStrategyInputType : AutoRegisteringInputObjectGraphType<SetActiveLearningStrategy>
{
    public SetActiveLearningStrategyInputType() => Name = "SetActiveLearningStrategyInput";
}

public sealed class ActiveLearningGraphType : ObjectGraphType<ActiveLearningStrategySet>
{
    public ActiveLearningGraphType()
    {
        Name = "ActiveLearning";
        Field(set => set.Strategy);
        Field(set => set.ModelId, type: typeof(IdGraphType)).Description("The model whose production version scores the cases (scored strategies).");
        Field(set => set.SetBy);
        Field(set => set.SetAt);
    }
}
