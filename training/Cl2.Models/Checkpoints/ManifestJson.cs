using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cl2.Models.Checkpoints;

/// <summary>
/// The one JSON shape of manifests and hyper-parameters: camelCase names, enums as strings, no indentation. Digests are
/// taken over these exact bytes, so changing these options changes every content address.
/// </summary>
internal static class ManifestJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        RespectRequiredConstructorParameters = true,
    };
}
