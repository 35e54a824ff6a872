using Cl2.Labeling.Models;
using Cl2.Labeling.Training;

namespace Cl2.Labeling.Tests;

/// <summary>cancelTrainingJob, the CANCELLED completion and resumeTrainingJob as decide functions: no database.</summary>
public sealed class CancelTrainingDecideTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);
    private const string Checkpoint = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

    private static TrainingJob Requested()
    {
        var model = Model.Create(new ModelRegistered(Guid.NewGuid(), "liver", "liver-ct", "ml", Now));
        return TrainingJob.Create(RequestTraining.Decide(model, false, new RequestTraining(model.Id, null, null, "nightly"), Guid.NewGuid(), "ml", Now));
    }

    private static TrainingJob Running()
    {
        var requested = Requested();
        return TrainingJob.Apply((TrainingClaimed)Assert.Single(ClaimTrainingJob.Decide(requested, new ClaimTrainingJob("w1", "cpu", null, 60), "w1", Now)), requested);
    }

    private static TrainingJob CancelRequested(TrainingJob running) =>
        TrainingJob.Apply((TrainingCancellationRequested)CancelTrainingJob.Decide(running, new CancelTrainingJob(running.Id, "wrong data"), "ml", Now.AddSeconds(5)), running);

    [Fact]
    public void cancelling_a_waiting_job_cancels_it_at_once()
    {
        var job = Requested();
        var cancelled = TrainingJob.Apply(Assert.IsType<TrainingCancelled>(CancelTrainingJob.Decide(job, new CancelTrainingJob(job.Id, null), "ml", Now)), job);
        Assert.Equal(TrainingStatus.Cancelled, cancelled.Status);
        Assert.False(cancelled.IsClaimable(Now.AddHours(1)));
    }

    [Fact]
    public void cancelling_a_running_job_asks_its_worker_and_keeps_it_from_being_reclaimed()
    {
        var job = CancelRequested(Running());
        Assert.Equal(TrainingStatus.Running, job.Status);
        Assert.Equal(Now.AddSeconds(5), job.CancellationRequestedAt);
        // Its lease running out does not hand it to another worker.
        Assert.Empty(ClaimTrainingJob.Decide(job, new ClaimTrainingJob("w2", "cpu", null, null), "w2", Now.AddMinutes(5)));
    }

    [Fact]
    public void cancelling_a_running_job_whose_lease_ran_out_cancels_it_at_once()
    {
        var job = Running();
        Assert.IsType<TrainingCancelled>(CancelTrainingJob.Decide(job, new CancelTrainingJob(job.Id, null), "ml", job.LeaseExpiresAt!.Value));
    }

    [Fact]
    public void the_worker_completes_a_cancel_requested_job_as_cancelled_with_its_checkpoint()
    {
        var job = CancelRequested(Running());
        var decided = CompleteTrainingJob.Decide(job, null, new CompleteTrainingJob(job.Id, 1, TrainingOutcome.Cancelled, null, null, Checkpoint), "w1", Now.AddSeconds(8));
        var cancelled = TrainingJob.Apply(Assert.IsType<TrainingCancelled>(decided), job);
        Assert.Equal((TrainingStatus.Cancelled, Checkpoint), (cancelled.Status, cancelled.LastCheckpointDigest));
    }

    [Fact]
    public void a_cancellation_reason_over_the_limit_is_refused_as_reason_too_long()
    {
        var job = Requested();
        var atLimit = new string('r', StatedReason.MaxLength);
        var cancelled = Assert.IsType<TrainingCancelled>(CancelTrainingJob.Decide(job, new CancelTrainingJob(job.Id, $" {atLimit} "), "ml", Now));
        var refusal = Assert.ThrowsAny<DomainException>(() => CancelTrainingJob.Decide(job, new CancelTrainingJob(job.Id, atLimit + "r"), "ml", Now));

        Assert.Equal(atLimit, cancelled.Reason);
        Assert.Equal(ErrorCodes.ReasonTooLong, refusal.Code);
        Assert.Equal(StatedReason.MaxLength, refusal.Details["maxLength"]);
        Assert.Equal(StatedReason.MaxLength + 1, refusal.Details["length"]);
    }

    [Fact]
    public void a_job_nobody_cancelled_cannot_be_completed_as_cancelled()
    {
        var job = Running();
        var refusal = Assert.ThrowsAny<DomainException>(() =>
            CompleteTrainingJob.Decide(job, null, new CompleteTrainingJob(job.Id, 1, TrainingOutcome.Cancelled, null, null, Checkpoint), "w1", Now));
        Assert.Equal(ErrorCodes.InvalidInput, refusal.Code);
    }

    [Fact]
    public void a_finished_job_cannot_be_cancelled()
    {
        var running = Running();
        var failed = TrainingJob.Apply(new TrainingFailed(running.Id, 1, "broken", "w1", Now), running);
        Assert.Equal(ErrorCodes.TrainingJobFinished,
            Assert.ThrowsAny<DomainException>(() => CancelTrainingJob.Decide(failed, new CancelTrainingJob(failed.Id, null), "ml", Now)).Code);
    }

    [Fact]
    public void a_resumed_cancelled_job_is_claimed_again_with_its_checkpoint()
    {
        var job = CancelRequested(Running());
        job = TrainingJob.Apply(new TrainingCancelled(job.Id, 1, Checkpoint, null, "w1", Now.AddSeconds(8)), job);
        job = TrainingJob.Apply(ResumeTrainingJob.Decide(job, new ResumeTrainingJob(job.Id), "ml", Now.AddMinutes(1)), job);
        var claim = Assert.IsType<TrainingClaimed>(Assert.Single(ClaimTrainingJob.Decide(job, new ClaimTrainingJob("w2", "cpu", null, null), "w2", Now.AddMinutes(2))));
        job = TrainingJob.Apply(claim, job);
        Assert.Equal((TrainingStatus.Running, 2, Checkpoint), (job.Status, job.Attempt, job.LastCheckpointDigest));
        Assert.Null(job.CancellationRequestedAt);
    }

    [Fact]
    public void only_a_cancelled_job_can_be_resumed()
    {
        var job = Running();
        Assert.Equal(ErrorCodes.TrainingJobNotCancelled,
            Assert.ThrowsAny<DomainException>(() => ResumeTrainingJob.Decide(job, new ResumeTrainingJob(job.Id), "ml", Now)).Code);
    }
}
