using Microsoft.Extensions.DependencyInjection;

namespace Cl2.ServiceDefaults.Audit;

public static class AuditRegistration
{
    /// <summary>The shared <see cref="AuditTrail"/>, writing its batches to <typeparamref name="TSink"/>.</summary>
    public static IServiceCollection AddAuditTrail<TSink>(this IServiceCollection services) where TSink : class, IAuditSink
    {
        services.AddValidatedOptions<AuditOptions>(AuditOptions.Section);
        services.AddSingleton<IAuditSink, TSink>();
        services.AddSingleton<AuditTrail>();
        services.AddHostedService(provider => provider.GetRequiredService<AuditTrail>());
        return services;
    }
}
