using GraphQL;
using GraphQL.Validation;
using GraphQLParser.AST;

namespace Cl2.Labeling.GraphQL;

/// <summary>
/// Refuses, before anything runs, an operation that selects a field whose declared roles (<c>AuthorizeWithRoles</c>)
/// the caller has none of: UNAUTHENTICATED when nobody signed in, FORBIDDEN otherwise. <see cref="Roles.Admin"/>
/// passes everywhere. A root field that declares no roles is refused too, so a new operation cannot ship unguarded.
/// </summary>
public sealed class RoleValidationRule : ValidationRuleBase
{
    public static readonly RoleValidationRule Instance = new();

    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context) =>
        new(new MatchingNodeVisitor<GraphQLField>((node, context) =>
        {
            if (context.TypeInfo.GetFieldDef() is not { } field || field.Name.StartsWith("__", StringComparison.Ordinal))
            {
                return;
            }
            var parent = context.TypeInfo.GetParentType();
            var isRoot = parent is not null
                && (ReferenceEquals(parent, context.Schema.Query) || ReferenceEquals(parent, context.Schema.Mutation)
                    || ReferenceEquals(parent, context.Schema.Subscription));
            var roles = field.GetRoles();
            if (roles is null or { Count: 0 })
            {
                if (isRoot)
                {
                    Refuse(context, node, ErrorCodes.Forbidden, $"'{field.Name}' declares no roles, so nobody may call it.");
                }
                return;
            }
            var user = context.User;
            if (user?.Identity?.IsAuthenticated != true)
            {
                Refuse(context, node, ErrorCodes.Unauthenticated, $"'{field.Name}' needs a signed-in caller with one of the roles {string.Join(", ", roles)}.");
            }
            else if (!Roles.Allow(user, roles))
            {
                Refuse(context, node, ErrorCodes.Forbidden,
                    $"'{field.Name}' needs one of the roles {string.Join(", ", roles)}; {user.Identity.Name} has none of them.");
            }
        }));

    private static void Refuse(ValidationContext context, GraphQLField node, string code, string message) =>
        context.ReportError(new ValidationError(context.Document.Source, null, message, node) { Code = code });
}
