using Cl2.Models;
using Xunit.Abstractions;
using Cl2.Models.Numerics;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Cl2.Training.Tests.Numerics;

public sealed class NumericsSelfCheckTests(ITestOutputHelper output) : IDisposable
{
    // Every test leaves the process as it decided at start: the other tests train under that decision.
    public void Dispose() => NumericsSelfCheck.ForProcess(OneDnnModes.FromEnvironment());

    [Fact]
    public void every_known_answer_check_passes_under_the_numerics_this_process_decided()
    {
        var device = ComputeDevice.Select("cpu", cpuThreads: 2);
        output.WriteLine(device.Numerics.Summary);
        foreach (var check in KnownAnswerChecks.All)
        {
            Assert.Null(check.Run());
        }
        Assert.Equal(device.Numerics.OneDnnEnabled, OneDnn.Enabled);
    }

    [Fact]
    public void the_onednn_switch_reads_back_what_was_set()
    {
        OneDnn.Enabled = false;
        Assert.False(OneDnn.Enabled);
        OneDnn.Enabled = true;
        Assert.True(OneDnn.Enabled);
    }

    [Fact]
    public void a_known_answer_check_reports_a_wrong_result_by_operation_and_output()
    {
        // The float32 side is off by a few per cent: what a kernel that computes wrong values looks like.
        var check = KnownAnswerChecks.Convolution("conv2d under test", [1, 2, 8, 8], [2, 2, 3, 3], repeats: 2,
            (x, w) => x.dtype == ScalarType.Float32 ? F.conv2d(x, w, padding: [1, 1]) + x * 0.05 : F.conv2d(x, w, padding: [1, 1]));

        var failure = check.Run();

        Assert.NotNull(failure);
        Assert.StartsWith("conv2d under test: forward is off by", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void a_known_answer_check_reports_non_finite_gradients()
    {
        var check = KnownAnswerChecks.Convolution("conv2d with a NaN", [1, 1, 4, 4], [1, 1, 3, 3], repeats: 1, (x, w) =>
        {
            var y = F.conv2d(x, w, padding: [1, 1]);
            // Forward unchanged; the gradient of sqrt at 0 is infinite, times 0 is NaN: only the backward pass breaks.
            return x.dtype == ScalarType.Float32 ? y + (x - x.detach()).abs().sqrt() : y;
        });

        Assert.Equal("conv2d with a NaN: input gradient has non-finite values (repeat 1 of 1)", check.Run());
    }

    [Fact]
    public void auto_turns_onednn_off_when_a_check_fails_only_with_it_and_says_why()
    {
        var decision = NumericsSelfCheck.Decide(OneDnnMode.Auto, [FailsWhileOneDnnIsOn()]);

        Assert.False(decision.OneDnnEnabled);
        Assert.False(OneDnn.Enabled);
        Assert.Equal("auto", decision.Mode);
        Assert.Contains("turned off: the self-check failed with it (fails with oneDNN", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("oneDNN off", decision.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void auto_keeps_onednn_on_when_every_check_passes_with_it()
    {
        var decision = NumericsSelfCheck.Decide(OneDnnMode.Auto, [Passes()]);

        Assert.True(decision.OneDnnEnabled);
        Assert.True(OneDnn.Enabled);
        Assert.Equal("the self-check passed with oneDNN", decision.Reason);
    }

    [Fact]
    public void a_check_that_fails_with_and_without_onednn_refuses_naming_the_operation_and_the_cpu()
    {
        var refused = Assert.Throws<NumericsCheckFailedException>(() => NumericsSelfCheck.Decide(OneDnnMode.Auto, [AlwaysFails()]));

        Assert.Contains("always wrong", refused.Message, StringComparison.Ordinal);
        Assert.Contains(CpuDescription.Read().Model, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void onednn_forced_on_refuses_instead_of_switching_it_off()
    {
        var refused = Assert.Throws<NumericsCheckFailedException>(() => NumericsSelfCheck.Decide(OneDnnMode.On, [FailsWhileOneDnnIsOn()]));

        Assert.Contains("Set oneDNN to auto or off", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void onednn_forced_off_is_off_whatever_the_checks_say_with_it()
    {
        var decision = NumericsSelfCheck.Decide(OneDnnMode.Off, [FailsWhileOneDnnIsOn()]);

        Assert.False(decision.OneDnnEnabled);
        Assert.Equal("off", decision.Mode);
    }

    [Theory]
    [InlineData("auto", OneDnnMode.Auto)]
    [InlineData("", OneDnnMode.Auto)]
    [InlineData("ON", OneDnnMode.On)]
    [InlineData("off", OneDnnMode.Off)]
    public void the_onednn_setting_reads_auto_on_and_off(string text, OneDnnMode expected) =>
        Assert.Equal(expected, OneDnnModes.Parse(text));

    [Fact]
    public void an_unknown_onednn_setting_is_refused_with_the_choices() =>
        Assert.Contains("use auto, on or off", Assert.Throws<ArgumentException>(() => OneDnnModes.Parse("maybe")).Message, StringComparison.Ordinal);

    private static KnownAnswerCheck Passes() =>
        KnownAnswerChecks.Convolution("passes", [1, 1, 4, 4], [1, 1, 3, 3], repeats: 1, (x, w) => F.conv2d(x, w, padding: [1, 1]));

    /// <summary>Computes right only while oneDNN is off: the fault seen on AMD Zen 5, made to order.</summary>
    private static KnownAnswerCheck FailsWhileOneDnnIsOn() =>
        KnownAnswerChecks.Convolution("fails with oneDNN", [1, 1, 4, 4], [1, 1, 3, 3], repeats: 1,
            (x, w) => OneDnn.Enabled && x.dtype == ScalarType.Float32 ? F.conv2d(x, w, padding: [1, 1]) * 2 : F.conv2d(x, w, padding: [1, 1]));

    private static KnownAnswerCheck AlwaysFails() =>
        KnownAnswerChecks.Convolution("always wrong", [1, 1, 4, 4], [1, 1, 3, 3], repeats: 1,
            (x, w) => x.dtype == ScalarType.Float32 ? F.conv2d(x, w, padding: [1, 1]) + 1 : F.conv2d(x, w, padding: [1, 1]));
}
