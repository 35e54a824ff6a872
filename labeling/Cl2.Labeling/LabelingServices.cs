using Cl2.Labeling.Archive;
using Cl2.Labeling.Audit;
using Cl2.Labeling.Blobs;
using Cl2.Labeling.Cases;
using Cl2.Labeling.Cohorts;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Retraining;
using Cl2.Labeling.Scoring;
using Cl2.ServiceDefaults;

namespace Cl2.Labeling;

public static class LabelingServices
{
    public static WebApplicationBuilder AddLabelingServices(this WebApplicationBuilder builder)
    {
        builder.AddPostgres();
        builder.AddEventStore();
        builder.AddLabelingGraphQL();
        builder.AddBlobStore();
        builder.AddImageArchive();
        builder.AddPacsCohorts();
        builder.AddAccessAudit();
        builder.AddRetraining();
        builder.AddActiveLearning();
        builder.Services.AddValidatedOptions<CasesOptions>(CasesOptions.Section);
        return builder;
    }

    public static WebApplication MapLabelingEndpoints(this WebApplication app)
    {
        app.MapGet("/", () => Results.Json(new { service = "cl2 labeling", health = "/health/ready", graphql = GraphQLHttpEndpoint.Path }));
        app.UseWebSockets();
        app.UseCallerIdentity();
        app.MapGraphQL();
        app.MapBlobEndpoints();
        app.MapImageArchiveEndpoints();
        app.UseAccessAudit();
        return app;
    }
}
