using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.ServiceDefaults;

/// <summary>Where a host listens, as a URL a client on this machine can use; for links when no public address is configured.</summary>
public static class ListeningAddress
{
    private static readonly HashSet<string> WildcardHosts = new(StringComparer.Ordinal) { "*", "+", "0.0.0.0", "[::]" };

    /// <summary>
    /// The first http(s) address the server listens on, without a trailing slash; a wildcard host (all interfaces) is
    /// given as localhost. http://localhost when the server reports none (an in-memory test server).
    /// </summary>
    public static string Of(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        foreach (var address in services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            var binding = BindingAddress.Parse(address);
            if (binding.Scheme is "http" or "https" && !binding.IsUnixPipe)
            {
                var host = WildcardHosts.Contains(binding.Host) ? "localhost" : binding.Host;
                var defaultPort = binding.Scheme == "http" ? 80 : 443;
                return $"{binding.Scheme}://{host}{(binding.Port == defaultPort ? "" : $":{binding.Port}")}{binding.PathBase.TrimEnd('/')}";
            }
        }
        return "http://localhost";
    }
}
