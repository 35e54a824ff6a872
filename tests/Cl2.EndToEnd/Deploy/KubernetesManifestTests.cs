using k8s.Models;

namespace Cl2.EndToEnd.Deploy;

/// <summary>
/// The Kubernetes manifests (issue 21; docs/deploy.md): each overlay renders with <c>kubectl kustomize</c>, every object is
/// a valid object of the Kubernetes API, and the platform's rules hold in what is rendered — only the gateway and the
/// DICOM port reachable from outside, non-root pods on read-only root filesystems with probes and requests, a
/// PodDisruptionBudget per workload, training on GPU nodes in production, no Secret committed.
/// </summary>
public sealed class KubernetesManifestTests
{
    public static readonly TheoryData<string> Overlays = ["dev", "production"];

    private static readonly string[] Workloads = ["gateway", "labeling", "inference", "training-worker"];

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task every_rendered_object_is_valid_against_the_kubernetes_api_schema(string overlay)
    {
        var rendered = await RenderedOverlay.LoadAsync(overlay);

        Assert.NotEmpty(rendered.Objects);
        Assert.All(rendered.Objects, o => Assert.False(string.IsNullOrEmpty(o.ApiVersion) || string.IsNullOrEmpty(o.Kind)));
        Assert.Equal(Workloads.Order(StringComparer.Ordinal), rendered.PodTemplates().Select(t => t.Workload).Order(StringComparer.Ordinal));
        Assert.All(rendered.Objects.OfType<IMetadata<V1ObjectMeta>>().Where(o => o is not V1Namespace),
            o => Assert.Equal("cl2", o.Metadata.NamespaceProperty));
    }

    [Fact]
    public void the_schema_check_refuses_a_field_the_kubernetes_api_does_not_have()
    {
        const string Misspelt = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: labeling
            spec:
              replica: 2
              selector:
                matchLabels: { app: labeling }
              template:
                metadata:
                  labels: { app: labeling }
                spec:
                  containers: [{ name: labeling, image: cl2/labeling }]
            """;

        var refused = Assert.Throws<InvalidOperationException>(() => RenderedOverlay.Read("misspelt", Misspelt));

        Assert.Contains("apps/v1/Deployment does not match the Kubernetes API schema", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task only_the_gateway_and_the_dicom_port_are_reachable_from_outside(string overlay)
    {
        var rendered = await RenderedOverlay.LoadAsync(overlay);
        var policies = rendered.OfType<V1NetworkPolicy>().ToList();

        var denyAll = Assert.Single(policies, p => p.Spec.PodSelector.MatchLabels is null or { Count: 0 } && p.Spec.Ingress is null or { Count: 0 });
        Assert.Equal(["Ingress"], denyAll.Spec.PolicyTypes);
        // A rule without "from" admits any source: only the gateway's HTTP port and the listener's DICOM port have one.
        var open = policies.SelectMany(p => (p.Spec.Ingress ?? []).Where(rule => rule.FromProperty is null or { Count: 0 })
                .SelectMany(rule => rule.Ports.Select(port => (Pods: p.Spec.PodSelector.MatchLabels?["app.kubernetes.io/name"] ?? "", Port: port.Port.Value))))
            .Order().ToList();
        Assert.Equal([("gateway", "8080"), ("inference", "11112")], open);
        var external = rendered.OfType<V1Service>().Where(s => s.Spec.Type is "LoadBalancer" or "NodePort")
            .Select(s => (s.Metadata.Name, string.Join(",", s.Spec.Ports.Select(p => p.Port)))).Order().ToList();
        Assert.Equal([("gateway", "80"), ("inference-dicom", "11112")], external);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task every_workload_runs_non_root_on_a_read_only_root_filesystem(string overlay)
    {
        var rendered = await RenderedOverlay.LoadAsync(overlay);

        Assert.All(rendered.PodTemplates(), workload =>
        {
            Assert.True(workload.Template.Spec.SecurityContext?.RunAsNonRoot, $"{workload.Workload}: runAsNonRoot");
            Assert.All(workload.Template.Spec.Containers, container =>
            {
                Assert.True(container.SecurityContext?.ReadOnlyRootFilesystem, $"{workload.Workload}/{container.Name}: readOnlyRootFilesystem");
                Assert.False(container.SecurityContext?.AllowPrivilegeEscalation ?? true, $"{workload.Workload}/{container.Name}: allowPrivilegeEscalation");
                Assert.Equal(["ALL"], container.SecurityContext?.Capabilities?.Drop ?? []);
            });
        });
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task every_container_has_probes_and_resource_requests(string overlay)
    {
        var rendered = await RenderedOverlay.LoadAsync(overlay);

        Assert.All(rendered.PodTemplates().SelectMany(w => w.Template.Spec.Containers.Select(c => (w.Workload, Container: c))), pair =>
        {
            Assert.True(pair.Container.ReadinessProbe is not null && pair.Container.LivenessProbe is not null, $"{pair.Workload}: readiness and liveness probes");
            Assert.True(pair.Container.Resources?.Requests?.ContainsKey("cpu") == true && pair.Container.Resources.Requests.ContainsKey("memory"),
                $"{pair.Workload}: cpu and memory requests");
        });
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task every_workload_has_a_pod_disruption_budget(string overlay)
    {
        var rendered = await RenderedOverlay.LoadAsync(overlay);
        var budgets = rendered.OfType<V1PodDisruptionBudget>().ToList();

        Assert.All(rendered.PodTemplates(), workload => Assert.Contains(budgets, budget =>
            budget.Spec.Selector.MatchLabels.All(label => workload.Template.Metadata.Labels.TryGetValue(label.Key, out var value) && value == label.Value)));
    }

    [Fact]
    public async Task production_training_workers_request_a_gpu_on_gpu_nodes()
    {
        var rendered = await RenderedOverlay.LoadAsync("production");
        var worker = Assert.Single(rendered.OfType<V1Deployment>(), d => d.Metadata.Name == "training-worker").Spec.Template.Spec;

        var training = Assert.Single(worker.Containers);
        Assert.Equal("1", training.Resources.Limits["nvidia.com/gpu"].ToString());
        Assert.Contains(worker.Tolerations, t => t.Key == "nvidia.com/gpu" && t.Effect == "NoSchedule");
        Assert.Equal("cuda", training.Env.Single(e => e.Name == "Training__Device").Value);
    }

    [Fact]
    public async Task production_runs_two_inference_replicas_that_claim_studies_through_labeling_under_their_pod_names()
    {
        var rendered = await RenderedOverlay.LoadAsync("production");
        var inference = Assert.Single(rendered.OfType<V1StatefulSet>(), s => s.Metadata.Name == "inference").Spec;

        Assert.Equal(2, inference.Replicas);
        var env = Assert.Single(inference.Template.Spec.Containers).Env;
        Assert.Equal("true", env.Single(e => e.Name == "Inference__Replicas__ClaimThroughLabeling").Value);
        Assert.Equal("metadata.name", env.Single(e => e.Name == "Inference__Replicas__Name").ValueFrom.FieldRef.FieldPath);
        Assert.Contains(inference.Template.Spec.TopologySpreadConstraints, c => c.TopologyKey == "kubernetes.io/hostname");
        // Each replica keeps its own ingest store: a volume per pod, not one shared claim.
        Assert.Single(inference.VolumeClaimTemplates);
    }

    [Fact]
    public async Task dev_runs_one_inference_replica_without_claims()
    {
        var rendered = await RenderedOverlay.LoadAsync("dev");
        var inference = Assert.Single(rendered.OfType<V1StatefulSet>(), s => s.Metadata.Name == "inference").Spec;

        Assert.Equal(1, inference.Replicas);
        Assert.DoesNotContain(Assert.Single(inference.Template.Spec.Containers).Env, e => e.Name.StartsWith("Inference__Replicas__", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task no_secret_is_committed_in_an_overlay(string overlay)
    {
        var rendered = await RenderedOverlay.LoadAsync(overlay);

        Assert.Empty(rendered.OfType<V1Secret>());
        var fromSecrets = rendered.PodTemplates().SelectMany(w => w.Template.Spec.Containers).SelectMany(c => c.Env ?? [])
            .Where(e => e.Name.Contains("Secret", StringComparison.Ordinal) || e.Name.Contains("ConnectionString", StringComparison.Ordinal));
        Assert.All(fromSecrets, e => Assert.True(e.Value is null && e.ValueFrom?.SecretKeyRef is not null, $"{e.Name} comes from a Secret in the cluster"));
    }
}
