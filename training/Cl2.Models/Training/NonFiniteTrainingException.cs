namespace Cl2.Models.Training;

/// <summary>
/// Training met a non-finite loss or gradient more often than <see cref="TrainerOptions.MaxNonFiniteSteps"/> allows:
/// the run stops rather than train on NaN. Its message names the epoch, the step and the first parameter whose
/// gradient was non-finite.
/// </summary>
public sealed class NonFiniteTrainingException(int epoch, long step, double loss, string? parameter, int skipped)
    : Exception(Describe(epoch, step, loss, parameter, skipped))
{
    /// <summary>The code a failed job carries, and GraphQL clients see in its failure reason.</summary>
    public const string Code = "NON_FINITE_LOSS";

    public int Epoch { get; } = epoch;
    public long Step { get; } = step;

    /// <summary>The first parameter (in the network's order) whose gradient had a NaN or infinity; null when all were finite.</summary>
    public string? Parameter { get; } = parameter;

    private static string Describe(int epoch, long step, double loss, string? parameter, int skipped) =>
        $"{Code}: the loss was {loss} at epoch {epoch}, step {step}" +
        (parameter is null ? "; every gradient was finite" : $"; the first non-finite gradient was {parameter}'s") +
        $"; {skipped} step(s) with non-finite values were skipped before this one. " +
        "Lower the learning rate, check the labels and inputs for NaN, or look at the numerics line of the log (docs/training.md).";
}
