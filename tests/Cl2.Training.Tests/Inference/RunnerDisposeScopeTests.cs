using Cl2.Models.Inference;
using Cl2.Models.Workloads;
using TorchSharp;

namespace Cl2.Training.Tests.Inference;

/// <summary>
/// The runner's public steps hold their own dispose scope, so a caller without one (a test, a tool) leaves no
/// intermediate tensor to the finalizer: one that nothing references can be freed by a collection on another thread
/// while libtorch still reads it. Counted on this thread, which holds no scope here.
/// </summary>
public sealed class RunnerDisposeScopeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-runner-scope-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void preparing_an_input_creates_no_tensor_outside_a_dispose_scope()
    {
        var (study, spacing) = UntrainedRunners.Case(WorkloadTask.HipXray, _root, size: 64);
        using var runner = UntrainedRunners.For(WorkloadTask.HipXray, spacing);
        var files = WorkloadRunner.ReadStudy(study);

        var before = DisposeScopeManager.Statistics.CreatedOutsideScopeCount;
        using var input = runner.Input(files);

        Assert.Equal(before, DisposeScopeManager.Statistics.CreatedOutsideScopeCount);
        Assert.Equal(4, input.dim());
    }

    [Fact]
    public void running_the_network_creates_no_tensor_outside_a_dispose_scope()
    {
        var (study, spacing) = UntrainedRunners.Case(WorkloadTask.HipXray, _root, size: 64);
        using var runner = UntrainedRunners.For(WorkloadTask.HipXray, spacing);
        using var input = runner.Input(WorkloadRunner.ReadStudy(study));

        var before = DisposeScopeManager.Statistics.CreatedOutsideScopeCount;
        using var logits = runner.Forward(input);

        Assert.Equal(before, DisposeScopeManager.Statistics.CreatedOutsideScopeCount);
        Assert.Equal(1, logits.shape[0]);
    }

    [Fact]
    public void the_sliding_window_weights_are_made_without_a_tensor_outside_a_dispose_scope()
    {
        var before = DisposeScopeManager.Statistics.CreatedOutsideScopeCount;
        using var weights = new SlidingWindowInference([9, 9, 9]).Gaussian();

        Assert.Equal(before, DisposeScopeManager.Statistics.CreatedOutsideScopeCount);
        Assert.Equal([9L, 9L, 9L], weights.shape);
    }
}
