using System.Text.Json;
using Cl2.Labeling.Client;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Routing;

/// <summary>
/// Inference's copy of labeling's routing table, read every <see cref="RoutingOptions.RefreshInterval"/> and kept on disk
/// (<c>{StoragePath}/routing/rules.json</c>), so that a labeling outage, even across a restart of inference, does not
/// stop routing: the last table read routes until labeling answers again. Null until a table was read once.
/// </summary>
public sealed class RoutingRulesCache(IServiceProvider services, IOptions<RoutingOptions> options, IOptions<InferenceOptions> inference,
    ILogger<RoutingRulesCache> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _file = Path.Combine(Path.GetFullPath(inference.Value.StoragePath), "routing", "rules.json");
    private volatile RoutingTableInfo? _table;
    private string? _lastError;

    public RoutingTableInfo? Current => _table;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (File.Exists(_file))
        {
            try
            {
                _table = JsonSerializer.Deserialize<RoutingTableInfo>(await File.ReadAllTextAsync(_file, stoppingToken), Json);
            }
            catch (Exception unreadable) when (unreadable is JsonException or IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("The saved routing table {File} is unreadable ({Error}); routing waits for labeling's", _file, unreadable.Message);
            }
        }
        using var timer = new PeriodicTimer(options.Value.RefreshInterval);
        do
        {
            await RefreshAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            var table = await services.GetRequiredService<LabelingClient>().RoutingRulesAsync(cancellationToken);
            if (_table?.Version != table.Version || _table is null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
                var written = _file + ".new";
                await File.WriteAllTextAsync(written, JsonSerializer.Serialize(table, Json), cancellationToken);
                File.Move(written, _file, overwrite: true);
                logger.LogInformation("Routing table version {Version} with {Rules} rules in use", table.Version, table.Rules.Count);
            }
            _table = table;
            if (_lastError is not null)
            {
                logger.LogInformation("Labeling answers the routing table again");
                _lastError = null;
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            if (_lastError != e.Message)
            {
                logger.LogWarning("Reading the routing table from labeling failed: {Error}. {Fallback}", e.Message,
                    _table is { } kept ? $"Version {kept.Version} read earlier routes until it answers." : "Studies wait for routing until it answers.");
            }
            _lastError = e.Message;
        }
    }
}
