using GraphQL.Types;

namespace Cl2.Labeling.Training;

/// <summary>
/// How one job trains where it departs from the worker's defaults; a field left out keeps the worker's setting. It is
/// part of the job, so a worker that takes the job over after a crash trains on with the same recipe.
/// </summary>
/// <param name="LearningRate">Peak learning rate of the schedule; 0 keeps the base version's weights (an evaluation run).</param>
/// <param name="BatchSize">Cases per optimizer step.</param>
/// <param name="SpacingMm">The grid cases are resampled to before training, x, y, z in mm (as a version's manifest lists
/// it); null keeps the workload's. The worker refuses it for a workload that trains on whole images.</param>
/// <param name="PatchSize">Voxels per training patch, x, y, z; null keeps the workload's.</param>
/// <param name="Precision">The numbers training computes in; null is float32. A worker on the CPU fails a job that asks
/// for <see cref="TrainingPrecision.Bf16Autocast"/> (it needs CUDA), saying so, before it reads any data.</param>
public sealed record TrainingRecipe(int? Epochs, double? LearningRate, int? BatchSize, IReadOnlyList<double>? SpacingMm = null,
    IReadOnlyList<int>? PatchSize = null, TrainingPrecision? Precision = null)
{
    public const int MaxEpochs = 10_000;
    public const int MaxBatchSize = 1024;
    public const double MaxLearningRate = 10;
    public const double MaxSpacingMm = 50;
    public const int MaxPatchEdge = 1024;

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
        if (recipe.SpacingMm is { } spacing && (spacing.Count is < 2 or > 3 || spacing.Any(mm => !double.IsFinite(mm) || mm <= 0 || mm > MaxSpacingMm)))
        {
            throw DomainException.Invalid($"recipe.spacingMm is x, y[, z] in mm, each above 0 and at most {MaxSpacingMm}, e.g. [1.5, 1.5, 2].");
        }
        if (recipe.PatchSize is { } patch && (patch.Count is < 2 or > 3 || patch.Any(edge => edge is < 1 or > MaxPatchEdge)))
        {
            throw DomainException.Invalid($"recipe.patchSize is x, y[, z] in voxels, each 1 to {MaxPatchEdge}, e.g. [64, 64, 64].");
        }
    }
}

/// <summary>The numbers a job trains in (<c>./cl2 train --precision</c>'s names in brackets). Its whole-network bf16
/// cast is not offered to jobs: it keeps no float32 weights for the version it would register.</summary>
public enum TrainingPrecision
{
    /// <summary>float32 throughout (float32).</summary>
    Float32,

    /// <summary>Mixed precision on CUDA: libtorch's autocast in bfloat16 around the forward pass, float32 weights,
    /// gradients and optimizer state (bf16-autocast).</summary>
    Bf16Autocast,
}

public sealed class TrainingPrecisionGraphType : EnumerationGraphType<TrainingPrecision>
{
    public TrainingPrecisionGraphType() => Name = "TrainingPrecision";

    // FLOAT32 and BF16_AUTOCAST, as a reader of libtorch names them; constant case would split the digits off.
    protected override string ChangeEnumCase(string val) => val switch
    {
        nameof(TrainingPrecision.Float32) => "FLOAT32",
        nameof(TrainingPrecision.Bf16Autocast) => "BF16_AUTOCAST",
        _ => base.ChangeEnumCase(val),
    };
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
        Field(recipe => recipe.SpacingMm, nullable: true).Description("The training grid, x, y, z in mm; null: the workload's.");
        Field(recipe => recipe.PatchSize, nullable: true).Description("Voxels per training patch, x, y, z; null: the workload's.");
        Field(recipe => recipe.Precision, nullable: true)
            .Description("The numbers training computes in; null: FLOAT32. BF16_AUTOCAST needs a CUDA worker: a CPU worker fails the job, saying so.");
    }
}
