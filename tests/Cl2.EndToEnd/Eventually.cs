using Xunit.Sdk;

namespace Cl2.EndToEnd;

public static class Eventually
{
    /// <summary>Polls until the condition holds; on time-out fails with every service's output, so the reason is visible.</summary>
    public static async Task IsTrueAsync(Func<Task<bool>> condition, IReadOnlyList<BackgroundProcess> services, string what, int timeoutSeconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }
            if (services.FirstOrDefault(service => service.HasExited) is { } exited)
            {
                throw new XunitException($"{exited.Name} exited while waiting for {what}:\n{exited.Output}");
            }
            await Task.Delay(250);
        }
        throw new XunitException($"timed out waiting for {what}:\n" + string.Join("\n", services.Select(service => $"--- {service.Name}\n{service.Output}")));
    }
}
