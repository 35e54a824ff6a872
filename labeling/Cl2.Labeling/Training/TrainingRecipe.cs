using GraphQL.Types;

namespace Cl2.Labeling.Training;

/// <summary>
/// How one job trains where it departs from the worker's defaults; a field left out keeps the worker's setting. It is
/// part of the job, so a worker that takes the job over after a crash trains on with the same recipe.
/// </summary>
/// <param name="LearningRate">Peak learning rate of the schedule; 0 keeps the base version's weights (an evaluation run).</param>
/// <param name="BatchSize">Cases per optimizer step.</param>
public sealed record TrainingRecipe(int? Epochs, double? LearningRate, int? BatchSize)
{
    public const int MaxEpochs = 10_000;
    public const int MaxBatchSize = 1024;
    public const double MaxLearningRate = 10;

    public static void Validate(TrainingRecipe? recipe)
    {
        if (recipe is null)
        {
            return;
        }
        if (recipe.Epochs is < 1 or > MaxEpochs)
        {
            throw DomainException.Invalid($"recipe.epochs is 1 to {MaxEpochs}.");
        }
        if (recipe.LearningRate is { } rate && (!double.IsFinite(rate) || rate is < 0 or > MaxLearningRate))
        {
            throw DomainException.Invalid($"recipe.learningRate is 0 to {MaxLearningRate}, e.g. 0.001.");
        }
        if (recipe.BatchSize is < 1 or > MaxBatchSize)
        {
            throw DomainException.Invalid($"recipe.batchSize is 1 to {MaxBatchSize}.");
        }
    }
}

public sealed class TrainingRecipeInputType : AutoRegisteringInputObjectGraphType<TrainingRecipe>
{
    public TrainingRecipeInputType() => Name = "TrainingRecipeInput";
}

public sealed class TrainingRecipeGraphType : ObjectGraphType<TrainingRecipe>
{
    public TrainingRecipeGraphType()
    {
        Name = "TrainingRecipe";
        Description = "How the job trains where it departs from the worker's defaults; null fields keep the worker's setting.";
        Field(recipe => recipe.Epochs, nullable: true);
        Field(recipe => recipe.LearningRate, nullable: true);
        Field(recipe => recipe.BatchSize, nullable: true);
    }
}
