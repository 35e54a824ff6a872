using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Client;

public static class LabelingClientRegistration
{
    public static IHttpClientBuilder AddLabelingClient(this IServiceCollection services)
    {
        services.AddOptions<LabelingClientOptions>().BindConfiguration(LabelingClientOptions.Section)
            .PostConfigure<IConfiguration>((options, configuration) =>
                options.Authority = options.Authority.Length > 0 ? options.Authority : configuration["Identity:Authority"] ?? "")
            .ValidateDataAnnotations().ValidateOnStart();
        return services.AddHttpClient<LabelingClient>((provider, http) =>
        {
            var options = provider.GetRequiredService<IOptions<LabelingClientOptions>>().Value;
            http.BaseAddress = options.BaseAddress;
            options.Identify(http);
        }).AddLabelingRetries().AddServiceCredentials();
    }
}
