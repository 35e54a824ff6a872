using System.Reflection;
using k8s;
using k8s.Models;

namespace Cl2.EndToEnd.Deploy;

/// <summary>
/// A kustomize overlay of gateway/deploy/overlays rendered by <c>kubectl kustomize</c> (Debian's kubernetes-client, which
/// ./cl2 test installs where no kubectl is), each object read back as the Kubernetes API type its apiVersion and kind
/// name: the official .NET client's models, generated from the API's OpenAPI schema, read strictly, so a field the API
/// does not have or a value of the wrong type is an error. Custom resources (CloudNativePG's Cluster) have no schema
/// here and are listed apart.
/// </summary>
public sealed record RenderedOverlay(string Name, IReadOnlyList<IKubernetesObject> Objects, IReadOnlyList<string> CustomResources)
{
    /// <summary>apiVersion/kind of the custom resources an overlay may hold; anything else must be a built-in API type.</summary>
    public static readonly IReadOnlySet<string> KnownCustomResources = new HashSet<string> { "postgresql.cnpg.io/v1/Cluster" };

    private static readonly Dictionary<string, Type> ApiTypes = typeof(V1Deployment).Assembly.GetTypes()
        .Select(type => (type, entity: type.GetCustomAttribute<KubernetesEntityAttribute>()))
        .Where(pair => pair.entity is { Kind.Length: > 0 } && typeof(IKubernetesObject).IsAssignableFrom(pair.type))
        .GroupBy(pair => $"{(string.IsNullOrEmpty(pair.entity!.Group) ? "" : pair.entity.Group + "/")}{pair.entity.ApiVersion}/{pair.entity.Kind}")
        .ToDictionary(group => group.Key, group => group.First().type);

    public static string Folder(string overlay) => Path.Combine(Repository.Root, "gateway", "deploy", "overlays", overlay);

    public static async Task<string> RenderAsync(string folder)
    {
        ProcessResult rendered;
        try
        {
            rendered = await ProcessRunner.RunAsync("kubectl", ["kustomize", folder], TimeSpan.FromMinutes(2));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"kubectl is not installed ({e.Message}): ./cl2 test installs Debian's kubernetes-client, " +
                "or run: apt-get install kubernetes-client", e);
        }
        return rendered.EnsureSuccess($"kubectl kustomize {folder}").Output;
    }

    public static async Task<RenderedOverlay> LoadAsync(string overlay) => Read(overlay, await RenderAsync(Folder(overlay)));

    /// <summary>Reads every document of <paramref name="yaml"/>; throws naming the object and the schema error.</summary>
    public static RenderedOverlay Read(string name, string yaml)
    {
        var objects = new List<IKubernetesObject>();
        var custom = new List<string>();
        foreach (var document in Documents(yaml))
        {
            var header = KubernetesYaml.Deserialize<KubernetesObject>(document);
            var key = $"{header.ApiVersion}/{header.Kind}";
            if (KnownCustomResources.Contains(key))
            {
                custom.Add(key);
                continue;
            }
            if (!ApiTypes.TryGetValue(key, out var type))
            {
                throw new InvalidOperationException($"{key} is not a type of the Kubernetes API (nor a known custom resource):\n{document}");
            }
            try
            {
                objects.Add((IKubernetesObject)Strict.MakeGenericMethod(type).Invoke(null, [document, true])!);
            }
            catch (TargetInvocationException e)
            {
                throw new InvalidOperationException($"{key} does not match the Kubernetes API schema: {e.InnerException?.Message}\n{document}", e.InnerException);
            }
        }
        return new RenderedOverlay(name, objects, custom);
    }

    public IEnumerable<T> OfType<T>() => Objects.OfType<T>();

    /// <summary>The pod templates of the Deployments and StatefulSets, by workload name.</summary>
    public IEnumerable<(string Workload, V1PodTemplateSpec Template)> PodTemplates() =>
        OfType<V1Deployment>().Select(d => (d.Metadata.Name, d.Spec.Template))
            .Concat(OfType<V1StatefulSet>().Select(s => (s.Metadata.Name, s.Spec.Template)));

    private static readonly MethodInfo Strict = typeof(KubernetesYaml).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Single(method => method.Name == nameof(KubernetesYaml.Deserialize) && method.IsGenericMethodDefinition
            && method.GetParameters() is [{ ParameterType: var text }, { ParameterType: var strict }] && text == typeof(string) && strict == typeof(bool));

    private static IEnumerable<string> Documents(string yaml) => yaml.Split(["\n---\n", "\r\n---\r\n"], StringSplitOptions.None)
        .Select(document => document.StartsWith("---\n", StringComparison.Ordinal) ? document[4..] : document)
        .Where(document => document.Split('\n').Any(line => line.Trim().Length > 0 && !line.TrimStart().StartsWith('#')));
}
