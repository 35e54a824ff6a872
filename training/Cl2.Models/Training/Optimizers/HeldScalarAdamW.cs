using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cl2.Models.Training.Optimizers;

/// <summary>
/// TorchSharp's AdamW (decoupled weight decay) with its step done by <see cref="AdamUpdate"/>, which holds every Scalar
/// it hands libtorch. The state is TorchSharp's, so its checkpoints (<c>save_state_dict</c>) are read and written as before.
/// </summary>
public sealed class HeldScalarAdamW(IEnumerable<Parameter> parameters, double learningRate, double beta1, double beta2, double epsilon, double weightDecay)
    : AdamW(parameters, learningRate, beta1, beta2, epsilon, weightDecay)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        foreach (var parameter in group.Parameters)
        {
            if (parameter.grad is not { } grad)
            {
                continue;
            }
            var state = (State)_state[parameter.Handle];
            state.step += 1;
            AdamUpdate.Apply(parameter, grad, state.exp_avg, state.exp_avg_sq, state.step, options.LearningRate!.Value, options.beta1!.Value,
                options.beta2!.Value, options.eps!.Value, options.weight_decay!.Value, decoupled: true);
        }
    }, closure);
}
