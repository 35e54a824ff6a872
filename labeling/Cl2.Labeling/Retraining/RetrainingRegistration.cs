using Cl2.ServiceDefaults;

namespace Cl2.Labeling.Retraining;

public static class RetrainingRegistration
{
    public static WebApplicationBuilder AddRetraining(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<RetrainingOptions>(RetrainingOptions.Section);
        builder.Services.AddHostedService<RetrainingScheduler>();
        return builder;
    }
}
