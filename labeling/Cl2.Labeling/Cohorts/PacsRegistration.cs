using Cl2.ServiceDefaults;

namespace Cl2.Labeling.Cohorts;

public static class PacsRegistration
{
    public static WebApplicationBuilder AddPacsCohorts(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<PacsOptions>(PacsOptions.Section)
            .Validate(options => options.PseudonymMasterKey.Length is 0 or >= 16, "Pacs:PseudonymMasterKey needs at least 16 characters (or none)");
        builder.Services.AddSingleton<PacsConnection>();
        builder.Services.AddSingleton<PacsImportRunner>();
        builder.Services.AddHostedService<PacsImportResumer>();
        return builder;
    }
}
