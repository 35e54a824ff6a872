using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace Cl2.Gateway.Identity;

/// <summary>OpenIddict's store (applications, authorizations, scopes, tokens) in its own schema of cl2's PostgreSQL.</summary>
public sealed class IdentityStore(DbContextOptions<IdentityStore> options, IOptions<IdentityProviderOptions> provider) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(provider.Value.Schema);
        base.OnModelCreating(modelBuilder);
    }

    /// <summary>
    /// Creates the store's tables where they are missing. Not <c>EnsureCreated</c>: that does nothing in a database which
    /// has any table at all, and labeling's event store shares this one. An advisory lock keeps two gateways starting
    /// together from both creating them.
    /// </summary>
    public async Task CreateTablesIfMissingAsync(CancellationToken cancellationToken)
    {
        await Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var schema = provider.Value.Schema;
            await Database.ExecuteSqlAsync($"SELECT pg_advisory_lock(hashtext('cl2 identity store ' || {schema}))", cancellationToken);
            var present = await Database.SqlQuery<bool>($"SELECT to_regclass(quote_ident({schema}) || '.\"OpenIddictApplications\"') IS NOT NULL AS \"Value\"")
                .SingleAsync(cancellationToken);
            if (!present)
            {
                await this.GetService<IRelationalDatabaseCreator>().CreateTablesAsync(cancellationToken);
            }
            await Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock(hashtext('cl2 identity store ' || {schema}))", cancellationToken);
        }
        finally
        {
            await Database.CloseConnectionAsync();
        }
    }
}
