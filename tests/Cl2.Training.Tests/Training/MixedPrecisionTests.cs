using Cl2.Models;
using Cl2.Models.Training;
using Cl2.Models.Training.Losses;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Training;

/// <summary>
/// bf16 autocast is a CUDA option. This machine has no GPU, so what is tested here is the refusal on the CPU, the
/// recipe names, and that the libtorch functions it calls are exported and switch libtorch's per-thread state.
/// </summary>
public sealed class MixedPrecisionTests
{
    private readonly ComputeDevice _cpu = ComputeDevice.Select("cpu", cpuThreads: 1);

    [Fact]
    public void bf16_autocast_on_the_cpu_is_refused_before_any_step_with_what_to_use_instead()
    {
        using var scope = NewDisposeScope();
        var network = nn.Sequential(nn.Flatten(), nn.Linear(4, 1));
        var options = new TrainerOptions { Precision = TrainingPrecision.BFloat16Autocast };

        var refused = Assert.Throws<InvalidOperationException>(() => new Trainer(network, new BinaryCrossEntropyLoss(), options, _cpu));

        Assert.Contains("bf16-autocast needs a CUDA device", refused.Message, StringComparison.Ordinal);
        Assert.Contains("precision float32", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ScalarType.Float32, network.parameters().First().dtype);
    }

    [Fact]
    public void this_libtorch_exports_every_autocast_function_the_trainer_calls()
    {
        Assert.Empty(LibTorchAutocast.MissingSymbols());
        Assert.Equal(7, LibTorchAutocast.Symbols.Count);
    }

    [Fact]
    public void an_autocast_region_turns_cuda_autocast_on_for_its_thread_until_it_is_disposed()
    {
        Assert.False(LibTorchAutocast.CudaEnabled);
        using (LibTorchAutocast.CudaBFloat16())
        {
            Assert.True(LibTorchAutocast.CudaEnabled);
            using (LibTorchAutocast.CudaBFloat16())
            {
                Assert.True(LibTorchAutocast.CudaEnabled);
            }
            Assert.True(LibTorchAutocast.CudaEnabled);
            var onAnotherThread = true;
            var other = new Thread(() => onAnotherThread = LibTorchAutocast.CudaEnabled);
            other.Start();
            other.Join();
            Assert.False(onAnotherThread);
        }
        Assert.False(LibTorchAutocast.CudaEnabled);
    }

    [Theory]
    [InlineData("float32", TrainingPrecision.Float32)]
    [InlineData("bf16", TrainingPrecision.BFloat16)]
    [InlineData("bf16-autocast", TrainingPrecision.BFloat16Autocast)]
    public void a_precision_name_parses_to_its_setting_and_back(string name, TrainingPrecision precision)
    {
        Assert.Equal(precision, TrainingPrecisions.Parse(name));
        Assert.Equal(name, precision.Name());
    }

    [Fact]
    public void an_unknown_precision_name_is_refused_with_the_known_ones()
    {
        var refused = Assert.Throws<ArgumentException>(() => TrainingPrecisions.Parse("fp16"));
        Assert.Contains("float32, bf16, bf16-autocast", refused.Message, StringComparison.Ordinal);
    }
}
