using Cl2.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Training.Tests;

public sealed class TorchSharpTests
{
    [Fact]
    public void libtorch_loads_and_a_convolution_on_the_cpu_gives_the_hand_computed_result()
    {
        var device = ComputeDevice.Select("cpu", cpuThreads: 2);
        Assert.False(device.IsCuda);
        Assert.Contains("cpu", device.Description, StringComparison.Ordinal);

        using var scope = NewDisposeScope();
        // A 1×1×3×3 image 1..9 and a 2×2 kernel of ones: each output is the sum of a 2×2 window.
        var image = arange(1, 10, dtype: float32).reshape(1, 1, 3, 3);
        var kernel = ones(1, 1, 2, 2, dtype: float32);
        var output = nn.functional.conv2d(image, kernel);

        Assert.Equal([1L, 1, 2, 2], output.shape);
        Assert.Equal([12f, 16f, 24f, 28f], output.flatten().data<float>().ToArray());
    }

    [Fact]
    public void a_convolution_layer_trains_one_step_and_its_loss_falls()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(7);
        var conv = nn.Conv3d(1, 2, kernel_size: 3, padding: 1);
        var optimizer = optim.Adam(conv.parameters(), lr: 0.05);
        var input = randn([2, 1, 8, 8, 8]);
        var target = zeros([2, 2, 8, 8, 8]);

        float Step()
        {
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(conv.forward(input), target);
            loss.backward();
            optimizer.step();
            return loss.item<float>();
        }

        var first = Step();
        var later = Enumerable.Range(0, 5).Select(_ => Step()).Last();
        Assert.True(later < first, $"loss went from {first} to {later}");
    }

    [Fact]
    public void asking_for_an_unknown_device_names_the_choices()
    {
        var error = Assert.Throws<ArgumentException>(() => ComputeDevice.Select("tpu"));
        Assert.Contains("auto, cpu or cuda", error.Message, StringComparison.Ordinal);
    }
}
