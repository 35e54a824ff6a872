using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Cl2.Gateway.Identity;

/// <summary>
/// On start: the store's tables, then one OpenIddict application per configured client (its secret as read now, so a
/// secret changed in its file takes effect at the next start), the command-line client and the browser clients. The
/// gateway reports ready only after this.
/// </summary>
public sealed class ProviderSeeding(IServiceProvider services, ProviderAccounts accounts, ILogger<ProviderSeeding> logger) : IHostedService, IHealthCheck
{
    private volatile bool _done;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IdentityStore>().CreateTablesIfMissingAsync(cancellationToken);
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        foreach (var (name, (_, secret)) in accounts.Clients)
        {
            await SeedAsync(applications, new OpenIddictApplicationDescriptor
            {
                ClientId = name,
                ClientSecret = secret,
                ClientType = ClientTypes.Confidential,
                DisplayName = name,
                Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials, Permissions.Prefixes.Scope + ProviderScopes.Api },
            }, secret, cancellationToken);
        }
        await SeedAsync(applications, new OpenIddictApplicationDescriptor
        {
            ClientId = ProviderAccounts.CommandLineClient,
            ClientType = ClientTypes.Public,
            DisplayName = "./cl2 token",
            Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.Password, Permissions.Prefixes.Scope + ProviderScopes.Api },
        }, null, cancellationToken);
        foreach (var (name, client) in accounts.BrowserClients)
        {
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = name,
                ClientType = ClientTypes.Public,
                DisplayName = name,
                Permissions =
                {
                    Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                    Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
                    Permissions.Prefixes.Scope + ProviderScopes.Api, Permissions.Scopes.Profile, Permissions.Scopes.Roles,
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            };
            foreach (var uri in client.RedirectUris)
            {
                descriptor.RedirectUris.Add(new Uri(uri));
            }
            foreach (var uri in client.PostLogoutRedirectUris)
            {
                descriptor.PostLogoutRedirectUris.Add(new Uri(uri));
            }
            await SeedAsync(applications, descriptor, null, cancellationToken);
        }
        _done = true;
        logger.LogInformation("Identity provider ready: {Users} users, {Clients} service clients, {Browsers} browser clients",
            accounts.UserCount, accounts.Clients.Count, accounts.BrowserClients.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_done
            ? HealthCheckResult.Healthy("identity provider store and clients ready")
            : HealthCheckResult.Unhealthy("identity provider still creating its store and clients (or failed: see ./cl2 logs gateway)"));

    /// <summary>Creates the application, or replaces it where its secret or settings differ from the configured ones.</summary>
    private static async Task SeedAsync(IOpenIddictApplicationManager applications, OpenIddictApplicationDescriptor descriptor, string? secret,
        CancellationToken cancellationToken)
    {
        if (await applications.FindByClientIdAsync(descriptor.ClientId!, cancellationToken) is { } existing)
        {
            if (secret is null || await applications.ValidateClientSecretAsync(existing, secret, cancellationToken))
            {
                var current = new OpenIddictApplicationDescriptor();
                await applications.PopulateAsync(current, existing, cancellationToken);
                if (current.Permissions.SetEquals(descriptor.Permissions) && current.RedirectUris.SetEquals(descriptor.RedirectUris)
                    && current.PostLogoutRedirectUris.SetEquals(descriptor.PostLogoutRedirectUris))
                {
                    return;
                }
            }
            await applications.DeleteAsync(existing, cancellationToken);
        }
        await applications.CreateAsync(descriptor, cancellationToken);
    }
}

public static class ProviderScopes
{
    /// <summary>The scope that asks for an access token to cl2's API (its audience).</summary>
    public const string Api = "cl2";
}
