using Cl2.ServiceDefaults;

namespace Cl2.Labeling.Cohorts;

public static class PacsRegistration
{
    public static WebApplicationBuilder AddPacsCohorts(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<PacsOptions>(PacsOptions.Section);
        builder.Services.AddValidatedOptions<PacsImportOptions>(PacsImportOptions.Section);
        builder.Services.AddSingleton<PacsMoves>();
        builder.Services.AddSingleton<PacsConnection>();
        // Before the resumer: a resumed C-MOVE import needs the storage SCP listening.
        builder.Services.AddSingleton<PacsStorageScp>();
        builder.Services.AddHostedService(services => services.GetRequiredService<PacsStorageScp>());
        builder.Services.AddSingleton<PacsImportRunner>();
        // Stopped after the resumer (which then claims nothing more) and before the storage SCP (a C-MOVE run may still receive).
        builder.Services.AddHostedService(services => services.GetRequiredService<PacsImportRunner>());
        builder.Services.AddHostedService<PacsImportResumer>();
        return builder;
    }
}
