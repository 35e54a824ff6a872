using GraphQL;

namespace Cl2.Labeling.Reading;

public static class IdArgument
{
    /// <summary>
    /// An <c>ID</c> argument as the UUID every labeling id is. GraphQL's ID takes any string, so a string that is not a
    /// UUID is refused here with INVALID_INPUT that says so, not with a conversion error about the field.
    /// </summary>
    public static Guid GetId(this IResolveFieldContext context, string name)
    {
        var text = context.GetArgument<string>(name);
        return Guid.TryParse(text, out var id)
            ? id
            : throw DomainException.Invalid($"{name} '{text}' is not a valid id: ids are UUIDs, such as the ids that createDataset or registerModel answer.");
    }
}
