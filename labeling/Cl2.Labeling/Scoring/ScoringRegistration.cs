using Cl2.Labeling.Cases;
using Cl2.ServiceDefaults;

namespace Cl2.Labeling.Scoring;

public static class ScoringRegistration
{
    public static WebApplicationBuilder AddActiveLearning(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ScoringOptions>(ScoringOptions.Section);
        ActiveLearningStrategies.Register(builder.Services);
        builder.Services.AddHostedService<ScoringScheduler>();
        return builder;
    }
}
