using System.Text.Json;
using Cl2.Inference.Routing;
using Cl2.Labeling.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Tests.Routing;

public sealed class RoutingRulesCacheTests : IDisposable
{
    private readonly string _storage = Directory.CreateTempSubdirectory("cl2-routing-").FullName;

    public void Dispose() => Directory.Delete(_storage, recursive: true);

    [Fact]
    public async Task the_table_kept_on_disk_routes_after_a_restart_while_labeling_is_unreachable()
    {
        var kept = new RoutingTableInfo(7, [new(Guid.NewGuid(), "CT studies", 1, "pass-through", null, null, null, "CT", null, null, null, null, null, 2)]);
        Directory.CreateDirectory(Path.Combine(_storage, "routing"));
        await File.WriteAllTextAsync(Path.Combine(_storage, "routing", "rules.json"), JsonSerializer.Serialize(kept, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        // Nothing listens on this port: every read of labeling's table fails.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}/"), Timeout = TimeSpan.FromSeconds(5) };
        await using var services = new ServiceCollection().AddSingleton(new LabelingClient(http)).BuildServiceProvider();
        using var cache = new RoutingRulesCache(services, Options.Create(new RoutingOptions { RefreshInterval = TimeSpan.FromMilliseconds(100) }),
            Options.Create(new InferenceOptions { StoragePath = _storage }), NullLogger<RoutingRulesCache>.Instance);

        await cache.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (cache.Current is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        await cache.StopAsync(CancellationToken.None);

        Assert.Equal((7, "CT studies"), (cache.Current!.Version, cache.Current.Rules.Single().Name));
    }
}
