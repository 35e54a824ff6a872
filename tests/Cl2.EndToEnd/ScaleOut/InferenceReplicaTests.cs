namespace Cl2.EndToEnd.ScaleOut;

/// <summary>
/// Two inference replicas against one labeling (docs/deploy.md, "Inference replicas"): a study whose instances arrive on
/// both is processed once, by one replica, with all of its instances; a replica killed after it received half a study
/// leaves the study to the other; a half that waits on one replica (slow to forward it, or killed before it did) is not
/// left out of the study's one run.
/// </summary>
public sealed class InferenceReplicaTests
{
    private static string NewStudy() => Cl2.Dicom.Coding.NameBasedUid.For($"replicas/{Guid.NewGuid()}");

    /// <summary>Replica 0 forwards a study only once none of it arrived for this long: what it acknowledged waits in its store,
    /// far past the quiet period after which the other replica's half is complete (2 s).</summary>
    private static ReplicaSettings ReplicaZeroForwardsAfter(string quietPeriod) => new(2,
        Inference: new Dictionary<string, string> { ["Inference__Replicas__PendingPartSeconds"] = "900" },
        PerReplica: new Dictionary<int, IReadOnlyDictionary<string, string>>
        {
            [0] = new Dictionary<string, string> { ["Inference__Forwarding__QuietPeriod"] = quietPeriod },
        });

    /// <summary>The study gets an outcome, the replica that processed it reported all six instances received (it had them
    /// all), and after several polls of both replicas nobody has processed it again.</summary>
    private static async Task ProcessedOnceWithAllSixAsync(InferenceReplicas platform, string study)
    {
        await Eventually.IsTrueAsync(async () => await platform.ResultCountAsync(study) > 0, platform.Processes, "the study's outcome", timeoutSeconds: 180);
        await Eventually.IsTrueAsync(async () => await platform.ReceivedInstanceCountAsync(study) == 6, platform.Processes,
            "the replica that processed the study to report all six instances received", timeoutSeconds: 60);
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Equal(1, await platform.ResultCountAsync(study));
    }

    /// <summary>How many events of <paramref name="type"/> (Marten's name) labeling holds for the replica's part of the study.</summary>
    private static async Task<int> PartEventsAsync(InferenceReplicas platform, string study, string replica, string type) =>
        (await platform.PsqlAsync($"select count(*) from cl2.mt_events where type = '{type}' and data->>'StudyInstanceUid' = '{study}' " +
            $"and data->>'Replica' = '{replica}'")).Select(int.Parse).Single();

    [Fact]
    public async Task a_study_split_across_two_replicas_is_processed_once_with_every_instance()
    {
        await using var platform = await InferenceReplicas.StartAsync(replicas: 2);
        var study = NewStudy();

        await Task.WhenAll(platform.SendAsync(0, study, [1, 2, 3]), platform.SendAsync(1, study, [4, 5, 6]));

        await ProcessedOnceWithAllSixAsync(platform, study);
    }

    [Fact]
    public async Task a_replica_killed_after_receiving_half_a_study_leaves_it_to_the_other()
    {
        await using var platform = await InferenceReplicas.StartAsync(replicas: 2);
        var study = NewStudy();
        await platform.SendAsync(0, study, [1, 2, 3]);
        await Eventually.IsTrueAsync(async () => await platform.ArchivedInstancesAsync(study) == 3, platform.Processes, "replica 0 to forward its half");
        await Eventually.IsTrueAsync(async () => await PartEventsAsync(platform, study, "inference-0", "study_part_forwarded") > 0, platform.Processes,
            "labeling to hear that replica 0's half no longer waits on it");

        await platform.KillReplicaAsync(0);
        await platform.SendAsync(1, study, [4, 5, 6]);

        await ProcessedOnceWithAllSixAsync(platform, study);
    }

    [Fact]
    public async Task a_half_that_one_replica_forwards_after_the_others_quiet_period_is_in_the_studys_one_run()
    {
        await using var platform = await InferenceReplicas.StartAsync(ReplicaZeroForwardsAfter("00:00:25"));
        var study = NewStudy();

        await Task.WhenAll(platform.SendAsync(0, study, [1, 2, 3]), platform.SendAsync(1, study, [4, 5, 6]));

        await Eventually.IsTrueAsync(async () => await platform.ArchivedInstancesAsync(study) == 6, platform.Processes,
            "replica 0 to forward its half after its 25 s quiet period", timeoutSeconds: 180);
        await ProcessedOnceWithAllSixAsync(platform, study);
    }

    [Fact]
    public async Task a_half_acknowledged_by_a_replica_killed_before_forwarding_it_is_in_the_studys_one_run_after_its_restart()
    {
        await using var platform = await InferenceReplicas.StartAsync(ReplicaZeroForwardsAfter("01:00:00"));
        var study = NewStudy();
        await Task.WhenAll(platform.SendAsync(0, study, [1, 2, 3]), platform.SendAsync(1, study, [4, 5, 6]));
        await Eventually.IsTrueAsync(async () => await platform.ArchivedInstancesAsync(study) == 3, platform.Processes, "replica 1 to forward its half");
        await Eventually.IsTrueAsync(async () => await PartEventsAsync(platform, study, "inference-0", "study_part_received") > 0, platform.Processes,
            "labeling to hear that half of the study waits on replica 0");

        await platform.KillReplicaAsync(0);
        // Replica 1's half is quiet and in the archive: without the pending half it would be processed alone by now (its
        // quiet period is 2 s, and it asks every 200 ms).
        await Task.Delay(TimeSpan.FromSeconds(15));
        Assert.Equal(0, await platform.ResultCountAsync(study));
        Assert.Equal(3, await platform.ArchivedInstancesAsync(study));

        await platform.StartReplicaAsync(0, new Dictionary<string, string> { ["Inference__Forwarding__QuietPeriod"] = "00:00:00.500" });

        await ProcessedOnceWithAllSixAsync(platform, study);
    }
}
