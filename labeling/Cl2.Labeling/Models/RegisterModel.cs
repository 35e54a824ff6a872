using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Models;

/// <summary>Register a model (a task and the line of versions that serve it), e.g. "brain-tumour-segresnet".</summary>
public sealed record RegisterModel(string Name, string Task)
{
    public const int MaxNameLength = 200;

    /// <summary>
    /// The workloads the training worker can train (training/Cl2.Models/Workloads/WorkloadTask.cs names the same three):
    /// a model registered for any other task would only fail when its first job runs.
    /// </summary>
    public static readonly IReadOnlyList<string> Tasks = ["brain-mri", "liver-ct", "hip-xray"];

    public static ModelRegistered Decide(bool nameTaken, RegisterModel command, Guid modelId, string by, DateTimeOffset now)
    {
        var name = command.Name.Trim();
        if (name.Length is 0 or > MaxNameLength)
        {
            throw DomainException.Invalid($"A model name has 1 to {MaxNameLength} characters.");
        }
        if (!Tasks.Contains(command.Task.Trim()))
        {
            throw new DomainException(ErrorCodes.ModelTaskUnknown,
                $"'{command.Task}' is not a workload the training worker knows: the task is one of {string.Join(", ", Tasks)}.");
        }
        if (nameTaken)
        {
            throw new DomainException(ErrorCodes.ModelNameTaken, $"A model named '{name}' exists already.");
        }
        return new ModelRegistered(modelId, name, command.Task.Trim(), by, now);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<ModelGraphType>, Model>("registerModel")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<RegisterModelInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RegisterModel>("input");
            var cancellationToken = context.CancellationToken;
            await using var query = context.Store().QuerySession();
            var name = command.Name.Trim();
            // Names are how people find a model; the check is advisory (a race can still register two), ids stay unique.
            var nameTaken = await query.Query<Model>().AnyAsync(model => model.Name == name, cancellationToken);
            var registered = Decide(nameTaken, command, Guid.CreateVersion7(), context.Actor(), context.Now());
            await StreamDecision.StartAsync<Model>(context.Store(), registered.ModelId, registered, cancellationToken);
            return Model.Create(registered) with { Version = 1 };
        });
}

public sealed class RegisterModelInputType : AutoRegisteringInputObjectGraphType<RegisterModel>
{
    public RegisterModelInputType() => Name = "RegisterModelInput";
}
