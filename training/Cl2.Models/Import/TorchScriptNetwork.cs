using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Import;

/// <summary>
/// A model compiled elsewhere with <c>torch.jit.script</c> or <c>torch.jit.trace</c> and saved with <c>torch.jit.save</c>:
/// its code travels with its weights, so it runs without a C# re-statement of its architecture. It takes one image
/// tensor and gives one tensor, as our own networks do.
/// </summary>
public sealed class TorchScriptNetwork : nn.Module<Tensor, Tensor>
{
    private readonly jit.ScriptModule<Tensor, Tensor> module;

    private TorchScriptNetwork(jit.ScriptModule<Tensor, Tensor> module) : base(nameof(TorchScriptNetwork))
    {
        this.module = module;
        RegisterComponents();
    }

    /// <summary>Loads the TorchScript file onto the CPU; move the network to the device afterwards.</summary>
    /// <exception cref="InvalidDataException">The file is not a TorchScript archive.</exception>
    public static TorchScriptNetwork Load(string path)
    {
        try
        {
            return new TorchScriptNetwork(jit.load<Tensor, Tensor>(path));
        }
        catch (Exception exception) when (exception is not FileNotFoundException)
        {
            throw new InvalidDataException(
                $"'{path}' is not a TorchScript model ({exception.Message.Split('\n')[0]}). Save one with " +
                "torch.jit.save(torch.jit.script(model), path); a plain state dict (torch.save) is imported as a state dict instead.",
                exception);
        }
    }

    public override Tensor forward(Tensor input) => module.forward(input);

    protected override void Dispose(bool disposing)
    {
        // Module.Dispose walks named_modules() and disposes each, which reaches into the script module's children after
        // the script module itself is gone (TorchSharp 0.107); the script module frees its whole tree on its own.
        if (disposing)
        {
            module.Dispose();
        }
    }
}
