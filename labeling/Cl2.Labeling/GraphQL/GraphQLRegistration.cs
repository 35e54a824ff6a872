using Cl2.Labeling.Reading;
using Cl2.ServiceDefaults;
using GraphQL;
using GraphQL.Validation;
using GraphQL.Validation.Rules.Custom;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.GraphQL;

public static class GraphQLRegistration
{
    public static void AddLabelingGraphQL(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<GraphQLOptions>(GraphQLOptions.Section);
        builder.Services.AddValidatedOptions<EventFeedOptions>(EventFeedOptions.Section);
        builder.AddCallerIdentity();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<EventHub>();
        builder.Services.AddHostedService<CommittedEventsFeed>();
        builder.Services.AddSingleton<CommittedEventsNotifier>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CommittedEventsNotifier>());
        builder.Services.AddSingleton<CommittedEventsListener>();
        builder.Services.AddScoped<BatchLoaders>();
        builder.Services.AddGraphQL(graphQL => graphQL
            .AddSchema<LabelingSchema>()
            .AddSystemTextJson()
            // DomainException.Details (current versions, ids) reach clients under extensions.data.
            .AddErrorInfoProvider(errors => errors.ExposeData = true)
            .AddGraphTypes(typeof(LabelingSchema).Assembly)
            .AddClrTypeMappings(typeof(LabelingSchema).Assembly)
            .ConfigureExecutionOptions(execution =>
            {
                var services = execution.RequestServices!;
                var options = services.GetRequiredService<IOptions<GraphQLOptions>>().Value;
                execution.ValidationRules = (execution.ValidationRules ?? DocumentValidator.CoreRules)
                    .Append(RoleValidationRule.Instance)
                    .Append(new QueryCostRule(options, services.GetRequiredService<ILogger<QueryCostRule>>()));
                // Validation and execution share this budget; the request's own token (the client leaving) ends them sooner.
                execution.Timeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds);
                execution.MaxParallelExecutionCount = options.MaxParallelResolvers;
                execution.UnhandledExceptionDelegate = DomainErrors.ToExecutionErrorAsync;
                if (!options.EnableIntrospection)
                {
                    execution.ValidationRules = execution.ValidationRules.Append(NoIntrospectionValidationRule.Instance);
                }
            }));
    }
}
