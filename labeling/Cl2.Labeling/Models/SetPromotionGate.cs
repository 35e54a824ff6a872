using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Models;

/// <summary>
/// Turn on (or change) a model's evaluation gate: from then on a version is promoted only after the worker evaluated it
/// and it did not regress beyond <see cref="Margin"/> on the test split or on corrected feedback. With
/// <see cref="AutoPromote"/> the gate promotes a passing candidate itself; otherwise an ML engineer does.
/// </summary>
public sealed record SetPromotionGate(Guid ModelId, double Margin, bool AutoPromote)
{
    public static IReadOnlyList<object> Decide(Model? model, SetPromotionGate command, string by, DateTimeOffset now)
    {
        if (model is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelNotFound, "Model", command.ModelId);
        }
        if (!double.IsFinite(command.Margin) || command.Margin is < 0 or > PromotionGate.MaxMargin)
        {
            throw DomainException.Invalid($"margin is how far a metric may fall below production's and still pass: 0 to {PromotionGate.MaxMargin}.");
        }
        return model.Gate is { } gate && gate.Margin == command.Margin && gate.AutoPromote == command.AutoPromote
            ? []
            : [new PromotionGateSet(model.Id, command.Margin, command.AutoPromote, by, now)];
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<ModelGraphType>, Model>("setPromotionGate")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<SetPromotionGateInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<SetPromotionGate>("input");
            return (await StreamDecision.DecideAsync<Model>(context.Store(), command.ModelId,
                model => Decide(model, command, context.Actor(), context.Now()), context.CancellationToken))!;
        });
}

public sealed class SetPromotionGateInputType : AutoRegisteringInputObjectGraphType<SetPromotionGate>
{
    public SetPromotionGateInputType() => Name = "SetPromotionGateInput";
}
