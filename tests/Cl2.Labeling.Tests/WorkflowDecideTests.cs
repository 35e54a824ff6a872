using Cl2.Labeling.Cases;
using Cl2.Labeling.Datasets;
using Cl2.Labeling.Feedback;
using Cl2.Labeling.Inference;
using Cl2.Labeling.Labels;
using Cl2.Labeling.Models;
using Cl2.Labeling.Training;

namespace Cl2.Labeling.Tests;

/// <summary>The decide functions of training, inference, feedback, predictions, splits and nextCase: no database.</summary>
public sealed class WorkflowDecideTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Checkpoint = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

    private static DomainException Refusal(Action decide) => Assert.ThrowsAny<DomainException>(decide);

    private static Model ModelWithVersion(out ModelVersion version)
    {
        var model = Model.Create(new ModelRegistered(Guid.NewGuid(), "brain", "segmentation", "ml", Now));
        model = Model.Apply(new ModelVersionRegistered(model.Id, Guid.NewGuid(), 1, [], new ModelLineage(null, [], [], Digest, "git:1"), Digest, "ml", Now), model);
        version = model.Versions[0];
        return model;
    }

    private static TrainingJob RequestedJob(Model model) =>
        TrainingJob.Create(RequestTraining.Decide(model, false, new RequestTraining(model.Id, null, null, "20 corrections"), Guid.NewGuid(), "policy", Now));

    private static TrainingJob Claimed(TrainingJob job, int leaseSeconds = 60) =>
        TrainingJob.Apply((TrainingClaimed)Assert.Single(ClaimTrainingJob.Decide(job, new ClaimTrainingJob("w1", "cuda:0", null, leaseSeconds), "w1", Now)), job);

    [Fact]
    public void requesting_training_fine_tunes_from_production_unless_told_otherwise_and_refuses_unknown_things()
    {
        var model = ModelWithVersion(out var version);
        model = Model.Apply(new ModelVersionPromoted(model.Id, version.Id, null, "ml", Now), model);
        var requested = RequestTraining.Decide(model, false, new RequestTraining(model.Id, null, null, " nightly "), Guid.NewGuid(), "cron", Now);
        Assert.Equal(version.Id, requested.BaseVersionId);
        Assert.Equal("nightly", requested.Trigger);

        Assert.Equal(ErrorCodes.ModelNotFound, Refusal(() => RequestTraining.Decide(null, false, new RequestTraining(model.Id, null, null, "x"), Guid.NewGuid(), "c", Now)).Code);
        Assert.Equal(ErrorCodes.DatasetNotFound,
            Refusal(() => RequestTraining.Decide(model, false, new RequestTraining(model.Id, null, Guid.NewGuid(), "x"), Guid.NewGuid(), "c", Now)).Code);
        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => RequestTraining.Decide(model, false, new RequestTraining(model.Id, null, null, " "), Guid.NewGuid(), "c", Now)).Code);
    }

    [Fact]
    public void a_training_recipe_is_kept_on_the_job_and_one_out_of_range_is_refused_with_the_range()
    {
        var model = ModelWithVersion(out _);
        TrainingRequested Request(TrainingRecipe recipe) =>
            RequestTraining.Decide(model, false, new RequestTraining(model.Id, null, null, "x", recipe), Guid.NewGuid(), "c", Now);

        var kept = Request(new TrainingRecipe(3, 0.0, 2));
        Assert.Equal(new TrainingRecipe(3, 0.0, 2), kept.Recipe);
        Assert.Equal(new TrainingRecipe(null, 1e-4, null), Request(new TrainingRecipe(null, 1e-4, null)).Recipe);
        Assert.Equal(TrainingPrecision.Bf16Autocast, Request(new TrainingRecipe(null, null, null, Precision: TrainingPrecision.Bf16Autocast)).Recipe!.Precision);

        foreach (var (recipe, says) in new[]
        {
            (new TrainingRecipe(0, null, null), "epochs is 1 to"),
            (new TrainingRecipe(TrainingRecipe.MaxEpochs + 1, null, null), "epochs is 1 to"),
            (new TrainingRecipe(null, -0.1, null), "learningRate is 0 to"),
            (new TrainingRecipe(null, double.NaN, null), "learningRate is 0 to"),
            (new TrainingRecipe(null, null, 0), "batchSize is 1 to"),
            (new TrainingRecipe(null, null, null, SpacingMm: [1.5, 0, 2]), "spacingMm is x, y[, z] in mm"),
            (new TrainingRecipe(null, null, null, SpacingMm: [1.5]), "spacingMm is x, y[, z] in mm"),
            (new TrainingRecipe(null, null, null, PatchSize: [64, 64, 64, 64]), "patchSize is x, y[, z] in voxels"),
        })
        {
            var refusal = Refusal(() => Request(recipe));
            Assert.Equal(ErrorCodes.InvalidInput, refusal.Code);
            Assert.Contains(says, refusal.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void a_job_can_be_claimed_while_waiting_or_after_its_lease_ran_out_but_not_while_held()
    {
        var job = RequestedJob(ModelWithVersion(out _));
        var claimed = Claimed(job);
        Assert.Equal((TrainingStatus.Running, 1, Now.AddSeconds(60)), (claimed.Status, claimed.Attempt, claimed.LeaseExpiresAt!.Value));

        Assert.Empty(ClaimTrainingJob.Decide(claimed, new ClaimTrainingJob("w2", "cuda:1", null, null), "w2", Now.AddSeconds(59)));
        var reclaim = Assert.IsType<TrainingClaimed>(Assert.Single(ClaimTrainingJob.Decide(claimed, new ClaimTrainingJob("w2", "cuda:1", null, null), "w2", Now.AddSeconds(60))));
        Assert.Equal(2, reclaim.Attempt);
        Assert.Empty(ClaimTrainingJob.Decide(job, new ClaimTrainingJob("w2", "cuda:1", Guid.NewGuid(), null), "w2", Now));
        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => ClaimTrainingJob.Decide(job, new ClaimTrainingJob("w2", "cuda:1", null, 0), "w2", Now)).Code);
    }

    [Fact]
    public void progress_renews_the_lease_keeps_the_last_checkpoint_and_is_refused_to_a_worker_that_lost_its_lease()
    {
        var job = Claimed(RequestedJob(ModelWithVersion(out _)));
        var progressed = ReportTrainingProgress.Decide(job, new ReportTrainingProgress(job.Id, 1, 1, 0.5, [new Metric("dice", 0.7)], Checkpoint, 120), "w1", Now.AddSeconds(30));
        Assert.Equal(Now.AddSeconds(150), progressed.LeaseExpiresAt);
        job = TrainingJob.Apply(progressed, job);
        job = TrainingJob.Apply(ReportTrainingProgress.Decide(job, new ReportTrainingProgress(job.Id, 1, 2, 0.4, null, null, null), "w1", Now), job);
        Assert.Equal(Checkpoint, job.LastCheckpointDigest);
        Assert.Equal([1, 2], job.Progress.Select(epoch => epoch.Epoch));

        Assert.Equal(ErrorCodes.TrainingLeaseLost, Refusal(() => ReportTrainingProgress.Decide(job, new ReportTrainingProgress(job.Id, 2, 3, 0.3, null, null, null), "w", Now)).Code);
        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => ReportTrainingProgress.Decide(job, new ReportTrainingProgress(job.Id, 1, 3, double.NaN, null, null, null), "w", Now)).Code);
        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => ReportTrainingProgress.Decide(job, new ReportTrainingProgress(job.Id, 1, 3, 0.3, null, "md5:x", null), "w", Now)).Code);
        Assert.Equal(ErrorCodes.TrainingJobNotFound, Refusal(() => ReportTrainingProgress.Decide(null, new ReportTrainingProgress(job.Id, 1, 3, 0.3, null, null, null), "w", Now)).Code);
    }

    [Fact]
    public void only_the_current_holder_of_a_running_job_renews_its_lease()
    {
        var model = ModelWithVersion(out var version);
        var job = Claimed(RequestedJob(model));
        var renewed = RenewTrainingLease.Decide(job, new RenewTrainingLease(job.Id, 1, 90), "w1", Now.AddSeconds(40));
        Assert.Equal((job.Id, 1, Now.AddSeconds(130), "w1"), (renewed.JobId, renewed.Attempt, renewed.LeaseExpiresAt, renewed.RenewedBy));
        var extended = TrainingJob.Apply(renewed, job);
        Assert.Equal(Now.AddSeconds(130), extended.LeaseExpiresAt);
        Assert.Empty(ClaimTrainingJob.Decide(extended, new ClaimTrainingJob("w2", "cuda:1", null, null), "w2", Now.AddSeconds(100)));
        Assert.Equal((job.Status, job.Attempt, job.Progress.Count), (extended.Status, extended.Attempt, extended.Progress.Count));

        // Its lease ran out and another worker reclaimed the job: the first worker's renewal is refused.
        var reclaimed = TrainingJob.Apply((TrainingClaimed)Assert.Single(ClaimTrainingJob.Decide(job, new ClaimTrainingJob("w2", "cuda:1", null, null), "w2", Now.AddSeconds(61))), job);
        var lost = Refusal(() => RenewTrainingLease.Decide(reclaimed, new RenewTrainingLease(job.Id, 1, null), "w1", Now.AddSeconds(62)));
        Assert.Equal(ErrorCodes.TrainingLeaseLost, lost.Code);
        Assert.Equal(Now.AddSeconds(62 + ClaimTrainingJob.DefaultLeaseSeconds),
            RenewTrainingLease.Decide(reclaimed, new RenewTrainingLease(job.Id, 2, null), "w2", Now.AddSeconds(62)).LeaseExpiresAt);

        var finished = TrainingJob.Apply(new TrainingSucceeded(job.Id, 1, version.Id, "w1", Now), job);
        Assert.Equal(ErrorCodes.TrainingJobNotRunning, Refusal(() => RenewTrainingLease.Decide(finished, new RenewTrainingLease(job.Id, 1, null), "w1", Now)).Code);
        Assert.Equal(ErrorCodes.TrainingJobNotRunning,
            Refusal(() => RenewTrainingLease.Decide(RequestedJob(model), new RenewTrainingLease(job.Id, 0, null), "w1", Now)).Code);
        Assert.Equal(ErrorCodes.TrainingJobNotFound, Refusal(() => RenewTrainingLease.Decide(null, new RenewTrainingLease(job.Id, 1, null), "w1", Now)).Code);
        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => RenewTrainingLease.Decide(job, new RenewTrainingLease(job.Id, 1, 0), "w1", Now)).Code);
    }

    [Fact]
    public void completing_a_job_needs_its_holder_a_reason_to_fail_and_a_version_of_the_same_model()
    {
        var model = ModelWithVersion(out var version);
        var job = Claimed(RequestedJob(model));
        var succeeded = Assert.IsType<TrainingSucceeded>(CompleteTrainingJob.Decide(job, version, new CompleteTrainingJob(job.Id, 1, TrainingOutcome.Succeeded, version.Id, null), "w1", Now));
        Assert.Equal(TrainingStatus.Succeeded, TrainingJob.Apply(succeeded, job).Status);
        var failed = Assert.IsType<TrainingFailed>(CompleteTrainingJob.Decide(job, null, new CompleteTrainingJob(job.Id, 1, TrainingOutcome.Failed, null, " out of memory "), "w1", Now));
        Assert.Equal("out of memory", failed.Reason);

        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => CompleteTrainingJob.Decide(job, null, new CompleteTrainingJob(job.Id, 1, TrainingOutcome.Failed, null, null), "w", Now)).Code);
        Assert.Equal(ErrorCodes.ModelVersionNotFound,
            Refusal(() => CompleteTrainingJob.Decide(job, version with { ModelId = Guid.NewGuid() }, new CompleteTrainingJob(job.Id, 1, TrainingOutcome.Succeeded, version.Id, null), "w", Now)).Code);
        Assert.Equal(ErrorCodes.TrainingJobNotRunning,
            Refusal(() => CompleteTrainingJob.Decide(TrainingJob.Apply(succeeded, job), null, new CompleteTrainingJob(job.Id, 1, TrainingOutcome.Failed, null, "x"), "w", Now)).Code);
    }

    [Fact]
    public void inference_records_need_real_uids_and_a_known_version()
    {
        ModelWithVersion(out var version);
        var received = Assert.IsType<StudyReceived>(Assert.Single(RecordStudyReceived.Decide(null, new RecordStudyReceived("1.2.3", " CT1 ", 40), "inference", Now)));
        Assert.Equal("CT1", received.CallingAeTitle);
        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => RecordStudyReceived.Decide(null, new RecordStudyReceived("1.2.3", "A_TITLE_OF_17_CHR", 1), "i", Now)).Code);

        var completed = RecordInferenceResult.Decide(version, new RecordInferenceResult("1.2.3", version.Id, "seg", ["1.2.3.4"], 812.5), Guid.NewGuid(), "inference", Now);
        Assert.Equal(((Guid?)version.ModelId, (Guid?)version.Id), (completed.ModelId, completed.VersionId));
        Assert.Equal(ErrorCodes.ModelVersionNotFound,
            Refusal(() => RecordInferenceResult.Decide(null, new RecordInferenceResult("1.2.3", version.Id, "seg", [], 1), Guid.NewGuid(), "i", Now)).Code);
        Assert.Equal(ErrorCodes.InvalidInput,
            Refusal(() => RecordInferenceResult.Decide(version, new RecordInferenceResult("1.2.3", version.Id, "seg", ["1.2.x"], 1), Guid.NewGuid(), "i", Now)).Code);
    }

    [Fact]
    public void a_study_reported_again_is_one_fact_and_only_more_instances_update_it()
    {
        var first = Assert.IsType<StudyReceived>(Assert.Single(RecordStudyReceived.Decide(null, new RecordStudyReceived("1.2.3", "CT1", 40), "inference", Now)));
        var study = ReceivedStudy.Create(first);

        Assert.Equal(RecordStudyReceived.ReceiptId("1.2.3"), first.ReceiptId);
        Assert.NotEqual(RecordStudyReceived.ReceiptId("1.2.3"), RecordStudyReceived.ReceiptId("1.2.30"));
        Assert.Empty(RecordStudyReceived.Decide(study, new RecordStudyReceived("1.2.3", "CT1", 40), "inference", Now));
        Assert.Empty(RecordStudyReceived.Decide(study, new RecordStudyReceived("1.2.3", "CT1", 39), "inference", Now));
        var updated = Assert.IsType<StudyReceiptUpdated>(Assert.Single(RecordStudyReceived.Decide(study, new RecordStudyReceived("1.2.3", "CT1", 41), "inference", Now)));
        Assert.Equal((first.ReceiptId, 41), (updated.ReceiptId, updated.InstanceCount));
        Assert.Equal(41, ReceivedStudy.Apply(updated, study).InstanceCount);
    }

    [Fact]
    public void a_numbered_delivery_report_that_labeling_holds_already_changes_nothing()
    {
        ModelWithVersion(out var version);
        var result = InferenceResult.Create(RecordInferenceResult.Decide(version, new RecordInferenceResult("1.2.3", version.Id, "seg", [], 1), Guid.NewGuid(), "i", Now));
        var failed = (DeliveryAttempted)Assert.Single(RecordDelivery.Decide(result, new RecordDelivery(result.Id, "PACS", DeliveryOutcome.Failed, "refused", 3), "i", Now));
        Assert.Equal(3, failed.Attempt);
        result = InferenceResult.Apply(failed, result);
        Assert.Empty(RecordDelivery.Decide(result, new RecordDelivery(result.Id, "PACS", DeliveryOutcome.Failed, "refused", 3), "i", Now));
        result = InferenceResult.Apply((DeliverySucceeded)Assert.Single(RecordDelivery.Decide(result, new RecordDelivery(result.Id, "PACS", DeliveryOutcome.Succeeded, null, 4), "i", Now)), result);
        Assert.Empty(RecordDelivery.Decide(result, new RecordDelivery(result.Id, "PACS", DeliveryOutcome.Succeeded, null, 4), "i", Now));
        Assert.Empty(RecordDelivery.Decide(result, new RecordDelivery(result.Id, "PACS", DeliveryOutcome.Failed, "late report", 3), "i", Now));
        Assert.Equal(ErrorCodes.DeliveryFinished, Refusal(() => RecordDelivery.Decide(result, new RecordDelivery(result.Id, "PACS", DeliveryOutcome.Failed, "x", 5), "i", Now)).Code);
        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => RecordDelivery.Decide(result, new RecordDelivery(result.Id, "XNAT", DeliveryOutcome.Failed, "x", 0), "i", Now)).Code);
    }

    [Fact]
    public void a_retry_request_turns_only_a_dead_lettered_delivery_back_to_retrying()
    {
        ModelWithVersion(out var version);
        var result = InferenceResult.Create(RecordInferenceResult.Decide(version, new RecordInferenceResult("1.2.3", version.Id, "seg", [], 1), Guid.NewGuid(), "i", Now));
        Assert.Equal(ErrorCodes.DeliveryNotFound, Refusal(() => RetryDelivery.Decide(result, new RetryDelivery(result.Id, "PACS"), "admin", Now)).Code);
        result = InferenceResult.Apply((DeliveryAttempted)Assert.Single(RecordDelivery.Decide(result, new RecordDelivery(result.Id, "PACS", DeliveryOutcome.Failed, "refused", 1), "i", Now)), result);
        Assert.Equal(ErrorCodes.DeliveryNotDeadLettered, Refusal(() => RetryDelivery.Decide(result, new RetryDelivery(result.Id, "PACS"), "admin", Now)).Code);
        result = InferenceResult.Apply((DeliveryDeadLettered)Assert.Single(RecordDelivery.Decide(result, new RecordDelivery(result.Id, "PACS", DeliveryOutcome.DeadLettered, "refused", 2), "i", Now)), result);

        var requested = RetryDelivery.Decide(result, new RetryDelivery(result.Id, " PACS "), "admin", Now);
        result = InferenceResult.Apply(requested, result);

        Assert.Equal(("PACS", "admin"), (requested.Destination, requested.RequestedBy));
        Assert.Equal((DeliveryStatus.Retrying, 2, "refused"), (result.Deliveries[0].Status, result.Deliveries[0].Attempts, result.Deliveries[0].LastError));
        Assert.Equal(3, ((DeliverySucceeded)Assert.Single(RecordDelivery.Decide(result, new RecordDelivery(result.Id, "PACS", DeliveryOutcome.Succeeded, null, 3), "i", Now))).Attempt);
    }

    [Fact]
    public void a_stuck_study_reported_again_is_one_fact_until_it_resumes()
    {
        var command = new RecordStudyForwardingStuck("1.2.3", "CT1", 10, "HTTP 409, Failure Reason 0xC000");
        var stuck = Assert.IsType<StudyForwardingStuck>(Assert.Single(RecordStudyForwardingStuck.Decide(null, command, "inference", Now)));
        var forwarding = StudyForwarding.Create(stuck);

        Assert.Equal(StudyForwarding.IdOf("1.2.3"), stuck.ForwardingId);
        Assert.NotEqual(RecordStudyReceived.ReceiptId("1.2.3"), stuck.ForwardingId);
        Assert.Empty(RecordStudyForwardingStuck.Decide(forwarding, command, "inference", Now));
        var resumed = Assert.IsType<StudyForwardingResumed>(Assert.Single(RecordStudyForwardingResumed.Decide(forwarding, "inference", Now)));
        forwarding = StudyForwarding.Apply(resumed, forwarding);
        Assert.False(forwarding.IsStuck);
        Assert.Empty(RecordStudyForwardingResumed.Decide(forwarding, "inference", Now));
        Assert.True(StudyForwarding.Apply(Assert.IsType<StudyForwardingStuck>(Assert.Single(RecordStudyForwardingStuck.Decide(forwarding, command, "inference", Now))), forwarding).IsStuck);
    }

    [Fact]
    public void a_stuck_report_needs_a_study_a_calling_ae_title_attempts_and_a_reason()
    {
        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => RecordStudyForwardingStuck.Decide(null, new RecordStudyForwardingStuck(" ", "CT1", 1, "why"), "i", Now)).Code);
        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => RecordStudyForwardingStuck.Decide(null, new RecordStudyForwardingStuck("1.2.3", "A_TITLE_OF_17_CHR", 1, "why"), "i", Now)).Code);
        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => RecordStudyForwardingStuck.Decide(null, new RecordStudyForwardingStuck("1.2.3", "CT1", 0, "why"), "i", Now)).Code);
        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => RecordStudyForwardingStuck.Decide(null, new RecordStudyForwardingStuck("1.2.3", "CT1", 1, " "), "i", Now)).Code);
        // A UID the archive refuses is one way to get stuck, so it is taken as it is.
        Assert.Single(RecordStudyForwardingStuck.Decide(null, new RecordStudyForwardingStuck("1.2.3.not-a-uid", "CT1", 1, "why"), "i", Now));
    }

    [Fact]
    public void a_delivery_counts_its_attempts_and_takes_none_after_it_succeeded_or_was_dead_lettered()
    {
        ModelWithVersion(out var version);
        var result = InferenceResult.Create(RecordInferenceResult.Decide(version, new RecordInferenceResult("1.2.3", version.Id, "seg", [], 1), Guid.NewGuid(), "i", Now));
        result = InferenceResult.Apply((DeliveryAttempted)Assert.Single(RecordDelivery.Decide(result, new RecordDelivery(result.Id, "PACS", DeliveryOutcome.Failed, "association rejected"), "i", Now)), result);
        result = InferenceResult.Apply((DeliveryAttempted)Assert.Single(RecordDelivery.Decide(result, new RecordDelivery(result.Id, "PACS", DeliveryOutcome.Failed, "timeout"), "i", Now)), result);
        var succeeded = Assert.IsType<DeliverySucceeded>(Assert.Single(RecordDelivery.Decide(result, new RecordDelivery(result.Id, "PACS", DeliveryOutcome.Succeeded, null), "i", Now)));
        Assert.Equal(3, succeeded.Attempt);
        var delivered = InferenceResult.Apply(succeeded, result);
        Assert.Equal(DeliveryStatus.Delivered, Assert.Single(delivered.Deliveries).Status);
        Assert.Equal(ErrorCodes.DeliveryFinished, Refusal(() => RecordDelivery.Decide(delivered, new RecordDelivery(result.Id, "PACS", DeliveryOutcome.Failed, "x"), "i", Now)).Code);

        var dead = Assert.IsType<DeliveryDeadLettered>(Assert.Single(RecordDelivery.Decide(result, new RecordDelivery(result.Id, "PACS", DeliveryOutcome.DeadLettered, "gave up"), "i", Now)));
        Assert.Equal(2, dead.Attempts);
        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => RecordDelivery.Decide(result, new RecordDelivery(result.Id, "PACS", DeliveryOutcome.Failed, null), "i", Now)).Code);
        Assert.Equal(ErrorCodes.InferenceResultNotFound, Refusal(() => RecordDelivery.Decide(null, new RecordDelivery(result.Id, "PACS", DeliveryOutcome.Succeeded, null), "i", Now)).Code);
    }

    [Fact]
    public void a_correction_names_an_existing_label_revision_and_only_a_correction_does()
    {
        ModelWithVersion(out var version);
        var result = InferenceResult.Create(RecordInferenceResult.Decide(version, new RecordInferenceResult("1.2.3", version.Id, "seg", [], 1), Guid.NewGuid(), "i", Now));
        var revision = new LabelRevision(Guid.NewGuid(), Guid.NewGuid(), 1, 0, LabelKind.Segmentation, Digest, LabelRevisionStatus.Submitted, "rad", Now, null, null, null);
        var given = GiveFeedback.Decide(result, revision, new GiveFeedback(result.Id, FeedbackVerdict.Correct, " edge ", revision.Id), Guid.NewGuid(), "rad", Now);
        Assert.Equal((version.Id, "1.2.3", "edge", revision.Id), (given.VersionId, given.StudyInstanceUid, given.Comment, given.CorrectedLabelRevisionId));

        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => GiveFeedback.Decide(result, null, new GiveFeedback(result.Id, FeedbackVerdict.Correct, null, null), Guid.NewGuid(), "r", Now)).Code);
        Assert.Equal(ErrorCodes.LabelRevisionNotFound,
            Refusal(() => GiveFeedback.Decide(result, null, new GiveFeedback(result.Id, FeedbackVerdict.Correct, null, Guid.NewGuid()), Guid.NewGuid(), "r", Now)).Code);
        Assert.Equal(ErrorCodes.InvalidInput,
            Refusal(() => GiveFeedback.Decide(result, revision, new GiveFeedback(result.Id, FeedbackVerdict.Accept, null, revision.Id), Guid.NewGuid(), "r", Now)).Code);
        Assert.Equal(ErrorCodes.InferenceResultNotFound,
            Refusal(() => GiveFeedback.Decide(null, null, new GiveFeedback(result.Id, FeedbackVerdict.Accept, null, null), Guid.NewGuid(), "r", Now)).Code);
    }

    [Fact]
    public void a_split_is_reproducible_from_its_seed_covers_every_case_once_and_is_fixed_for_good()
    {
        var dataset = Dataset.Create(new DatasetCreated(Guid.NewGuid(), "hips", "", false, "alice", Now));
        var cases = Enumerable.Range(0, 100).Select(index => (Guid.NewGuid(), $"1.2.826.{index}")).ToList();
        var command = new FixDatasetSplit(dataset.Id, 0.2, 0.1, 42);
        var split = FixDatasetSplit.Decide(dataset, cases, command, "ml", Now);
        Assert.Equal((70, 20, 10), (split.TrainCaseIds.Count, split.ValidationCaseIds.Count, split.TestCaseIds.Count));
        Assert.Equal(cases.Select(@case => @case.Item1).Order(), split.TrainCaseIds.Concat(split.ValidationCaseIds).Concat(split.TestCaseIds).Order());
        var again = FixDatasetSplit.Decide(dataset, [.. Enumerable.Reverse(cases)], command, "ml", Now);
        Assert.Equal(split.TestCaseIds, again.TestCaseIds);
        Assert.NotEqual(split.TestCaseIds, FixDatasetSplit.Decide(dataset, cases, command with { Seed = 7 }, "ml", Now).TestCaseIds);

        Assert.Equal(ErrorCodes.DatasetSplitAlreadyFixed, Refusal(() => FixDatasetSplit.Decide(Dataset.Apply(split, dataset), cases, command, "ml", Now)).Code);
        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => FixDatasetSplit.Decide(dataset, cases, command with { TestFraction = 0.8 }, "ml", Now)).Code);
        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => FixDatasetSplit.Decide(dataset, [], command, "ml", Now)).Code);
    }

    [Fact]
    public void a_split_with_the_same_seed_puts_the_same_studies_in_each_part_whatever_the_cases_ids()
    {
        var studies = Enumerable.Range(0, 100).Select(index => $"1.2.826.{index}").ToList();
        var command = new FixDatasetSplit(Guid.NewGuid(), 0.2, 0.1, 42);
        IReadOnlyList<(HashSet<string> Train, HashSet<string> Validation, HashSet<string> Test)> splits = [.. Enumerable.Range(0, 2).Select(_ =>
        {
            // A new dataset of the same studies: its cases get new ids, as in every run of the demo.
            var dataset = Dataset.Create(new DatasetCreated(command.DatasetId, "livers", "", false, "alice", Now));
            var cases = studies.Select(study => (Id: Guid.NewGuid(), Study: study)).ToList();
            var studyOf = cases.ToDictionary(@case => @case.Id, @case => @case.Study);
            var split = FixDatasetSplit.Decide(dataset, cases, command, "ml", Now);
            return (split.TrainCaseIds.Select(id => studyOf[id]).ToHashSet(), split.ValidationCaseIds.Select(id => studyOf[id]).ToHashSet(),
                split.TestCaseIds.Select(id => studyOf[id]).ToHashSet());
        })];

        Assert.Equal(splits[0].Test.Order(), splits[1].Test.Order());
        Assert.Equal(splits[0].Validation.Order(), splits[1].Validation.Order());
        Assert.Equal(splits[0].Train.Order(), splits[1].Train.Order());
    }

    [Fact]
    public void a_prediction_names_a_known_version_and_next_case_assigns_only_a_free_unlabelled_case()
    {
        ModelWithVersion(out var version);
        var @case = Case.Create(new CaseAdded(Guid.NewGuid(), Guid.NewGuid(), "1.2.3", "importer", Now));
        var predicted = PredictLabel.Decide(@case, version, new PredictLabel(@case.Id, version.Id, LabelKind.Segmentation, Digest), Guid.NewGuid(), "inference", Now);
        Assert.Equal(version.Id, Case.Apply(predicted, @case).LatestPrediction!.VersionId);
        Assert.Equal(ErrorCodes.ModelVersionNotFound,
            Refusal(() => PredictLabel.Decide(@case, null, new PredictLabel(@case.Id, version.Id, LabelKind.Segmentation, Digest), Guid.NewGuid(), "i", Now)).Code);

        var assigned = Assert.IsType<CaseAssigned>(Assert.Single(NextCase.Decide(@case, "ann", Now)));
        Assert.Empty(NextCase.Decide(Case.Apply(assigned, @case), "bob", Now));
    }
}
