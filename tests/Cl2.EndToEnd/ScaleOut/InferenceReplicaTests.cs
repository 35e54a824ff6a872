namespace Cl2.EndToEnd.ScaleOut;

/// <summary>
/// Two inference replicas against one labeling (docs/deploy.md, "Inference replicas"): a study whose instances arrive on
/// both is processed once, by one replica, with all of its instances; a replica killed after it received half a study
/// leaves the study to the other.
/// </summary>
public sealed class InferenceReplicaTests
{
    private static string NewStudy() => Cl2.Dicom.Coding.NameBasedUid.For($"replicas/{Guid.NewGuid()}");

    [Fact]
    public async Task a_study_split_across_two_replicas_is_processed_once_with_every_instance()
    {
        await using var platform = await InferenceReplicas.StartAsync(replicas: 2);
        var study = NewStudy();

        await Task.WhenAll(platform.SendAsync(0, study, [1, 2, 3]), platform.SendAsync(1, study, [4, 5, 6]));

        await Eventually.IsTrueAsync(async () => await platform.ResultCountAsync(study) > 0, platform.Processes, "the study's outcome", timeoutSeconds: 120);
        await Eventually.IsTrueAsync(async () => await platform.ReceivedInstanceCountAsync(study) == 6, platform.Processes,
            "the replica that processed the study to report all six instances received", timeoutSeconds: 60);
        await Task.Delay(TimeSpan.FromSeconds(3)); // several polls of both replicas: nobody processes the study again
        Assert.Equal(1, await platform.ResultCountAsync(study));
    }

    [Fact]
    public async Task a_replica_killed_after_receiving_half_a_study_leaves_it_to_the_other()
    {
        await using var platform = await InferenceReplicas.StartAsync(replicas: 2);
        var study = NewStudy();
        await platform.SendAsync(0, study, [1, 2, 3]);
        await Eventually.IsTrueAsync(async () => await platform.ArchivedInstancesAsync(study) == 3, platform.Processes, "replica 0 to forward its half");

        await platform.KillReplicaAsync(0);
        await platform.SendAsync(1, study, [4, 5, 6]);

        await Eventually.IsTrueAsync(async () => await platform.ResultCountAsync(study) > 0, platform.Processes, "the study's outcome", timeoutSeconds: 120);
        await Eventually.IsTrueAsync(async () => await platform.ReceivedInstanceCountAsync(study) == 6, platform.Processes,
            "replica 1 to report all six instances received", timeoutSeconds: 60);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(1, await platform.ResultCountAsync(study));
    }
}
