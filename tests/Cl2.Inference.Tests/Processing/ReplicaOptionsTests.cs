using Cl2.Inference.Tests.Listener;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Tests.Processing;

public sealed class ReplicaOptionsTests
{
    [Fact]
    public void claiming_studies_through_labeling_without_forwarding_stops_the_start_naming_both_settings()
    {
        var failure = Assert.ThrowsAny<OptionsValidationException>(() => FailingStart.Run(() =>
        {
            using var host = ListenerHost.Start(new ListenerHost(new Dictionary<string, string>
            {
                ["Inference:Replicas:ClaimThroughLabeling"] = "true",
                ["Inference:Forwarding:Enabled"] = "false",
            }));
        }));

        Assert.Contains("Inference:Replicas:ClaimThroughLabeling", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Inference:Forwarding:Enabled", failure.Message, StringComparison.Ordinal);
    }
}
