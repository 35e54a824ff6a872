using Cl2.Models.Training;

namespace Cl2.Training.Tests.Training;

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void warmup_cosine_rises_linearly_then_falls_along_half_a_cosine_to_the_minimum()
    {
        var schedule = new LearningRateSchedule { Kind = LearningRateScheduleKind.WarmupCosine, WarmupSteps = 4, TotalSteps = 14, MinLearningRate = 1e-4 };
        Assert.Equal(0.25e-2, schedule.At(1e-2, 0), 12);
        Assert.Equal(1e-2, schedule.At(1e-2, 3), 12);
        Assert.Equal(1e-2, schedule.At(1e-2, 4), 12);
        Assert.Equal(1e-4 + (1e-2 - 1e-4) / 2, schedule.At(1e-2, 9), 12);
        Assert.Equal(1e-4, schedule.At(1e-2, 14), 12);
        Assert.Equal(1e-4, schedule.At(1e-2, 100), 12);
    }

    [Fact]
    public void polynomial_decay_follows_the_power_of_the_remaining_fraction()
    {
        var schedule = new LearningRateSchedule { Kind = LearningRateScheduleKind.WarmupPolynomial, TotalSteps = 10, Power = 2 };
        Assert.Equal(1, schedule.At(1, 0), 12);
        Assert.Equal(0.25, schedule.At(1, 5), 12);
        Assert.Equal(0, schedule.At(1, 10), 12);
    }

    [Fact]
    public void a_decaying_schedule_without_a_length_is_refused_when_training_starts()
    {
        var options = new TrainerOptions { Schedule = new LearningRateSchedule { Kind = LearningRateScheduleKind.WarmupCosine, WarmupSteps = 5 } };
        var error = Assert.Throws<ArgumentException>(() => new Trainer(
            TorchSharp.torch.nn.Identity(), new Cl2.Models.Training.Losses.BinaryCrossEntropyLoss(), options, Models.ComputeDevice.Select("cpu", 2)));
        Assert.Contains("TotalSteps", error.Message, StringComparison.Ordinal);
    }
}
