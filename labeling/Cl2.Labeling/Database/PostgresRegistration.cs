using Cl2.ServiceDefaults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cl2.Labeling.Database;

public static class PostgresRegistration
{
    public static void AddPostgres(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<PostgresOptions>(PostgresOptions.Section);
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<PostgresOptions>>().Value;
            var connection = new NpgsqlConnectionStringBuilder(options.ConnectionString)
            {
                ApplicationName = "cl2-labeling",
                SearchPath = options.Schema,
            };
            return new NpgsqlDataSourceBuilder(connection.ConnectionString)
                .UseLoggerFactory(services.GetRequiredService<ILoggerFactory>())
                .Build();
        });
        builder.Services.AddHealthChecks()
            .AddCheck<PostgresReadinessCheck>("postgres", tags: [ServiceDefaultsExtensions.ReadyTag]);
    }
}
