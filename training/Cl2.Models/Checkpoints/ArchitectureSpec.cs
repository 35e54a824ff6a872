using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Cl2.Models.Import;
using Cl2.Models.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Checkpoints;

/// <summary>
/// Which network a checkpoint holds and every hyper-parameter needed to rebuild it before its weights are loaded:
/// the architecture's name and its options record as JSON.
/// </summary>
public sealed record ArchitectureSpec(string Name, JsonObject HyperParameters)
{
    public const string SegResNetName = "SegResNet";
    public const string SegResNetVaeName = "SegResNetVAE";
    public const string UNetName = "UNet";
    public const string DenseNetName = "DenseNet";

    /// <summary>A model imported as TorchScript: its weights file is the TorchScript archive, which holds its code.</summary>
    public const string TorchScriptName = "TorchScript";

    public static ArchitectureSpec Of(SegResNetOptions options) => new(SegResNetName, ToJson(options));
    public static ArchitectureSpec Of(SegResNetVaeOptions options) => new(SegResNetVaeName, ToJson(options));
    public static ArchitectureSpec Of(UNetOptions options) => new(UNetName, ToJson(options));
    public static ArchitectureSpec Of(DenseNetOptions options) => new(DenseNetName, ToJson(options));
    public static ArchitectureSpec Of(TorchScriptOptions options) => new(TorchScriptName, ToJson(options));

    [JsonIgnore]
    public bool IsTorchScript => Name == TorchScriptName;

    /// <summary>Builds the network on the CPU with fresh weights; load the checkpoint's weights next, then move it to the device.</summary>
    public nn.Module<Tensor, Tensor> Create() => Name switch
    {
        SegResNetName => new SegResNet(FromJson<SegResNetOptions>()),
        SegResNetVaeName => new SegResNetVae(FromJson<SegResNetVaeOptions>()),
        UNetName => new UNet(FromJson<UNetOptions>()),
        DenseNetName => new DenseNet(FromJson<DenseNetOptions>()),
        TorchScriptName => throw new InvalidOperationException(
            "A TorchScript model cannot be built from hyper-parameters: read its checkpoint with Checkpoint.ReadAsync, which loads the archive."),
        _ => throw UnknownArchitecture(),
    };

    /// <summary>The channels the network takes and gives, and its spatial dimensions, read from the hyper-parameters.</summary>
    public (int InChannels, int OutChannels, int SpatialDims) Interface
    {
        get
        {
            switch (Name)
            {
                case SegResNetName:
                    var segResNet = FromJson<SegResNetOptions>();
                    return (segResNet.InChannels, segResNet.OutChannels, segResNet.SpatialDims);
                case SegResNetVaeName:
                    var vae = FromJson<SegResNetVaeOptions>().Network;
                    return (vae.InChannels, vae.OutChannels, vae.SpatialDims);
                case UNetName:
                    var unet = FromJson<UNetOptions>();
                    return (unet.InChannels, unet.OutChannels, unet.SpatialDims);
                case DenseNetName:
                    var denseNet = FromJson<DenseNetOptions>();
                    return (denseNet.InChannels, denseNet.NumClasses, 2);
                case TorchScriptName:
                    var script = FromJson<TorchScriptOptions>();
                    return (script.InChannels, script.OutChannels, script.SpatialDims);
                default:
                    throw UnknownArchitecture();
            }
        }
    }

    private InvalidOperationException UnknownArchitecture() =>
        new($"Unknown architecture '{Name}'. Known: {SegResNetName}, {SegResNetVaeName}, {UNetName}, {DenseNetName}, {TorchScriptName}.");

    private static JsonObject ToJson<T>(T options) => JsonSerializer.SerializeToNode(options, ManifestJson.Options)!.AsObject();

    private T FromJson<T>() => HyperParameters.Deserialize<T>(ManifestJson.Options)
        ?? throw new InvalidOperationException($"The hyper-parameters of '{Name}' are empty.");
}
