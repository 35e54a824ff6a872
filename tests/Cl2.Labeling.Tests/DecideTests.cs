using Cl2.Labeling.Blobs;
using Cl2.Labeling.Cases;
using Cl2.Labeling.Datasets;
using Cl2.Labeling.Feedback;
using Cl2.Labeling.Labels;
using Cl2.Labeling.Models;

namespace Cl2.Labeling.Tests;

/// <summary>The decide functions alone: state and command in, events (or a typed refusal) out. No database.</summary>
public sealed class DecideTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static readonly Caller Lead = new("lead", ActsForOthers: true);

    private static bool Stored(BlobDigest digest) => true;

    private static Case NewCase() => Case.Create(new CaseAdded(Guid.NewGuid(), Guid.NewGuid(), "1.2.3", "importer", Now));

    private static Model ModelWithVersions(int count)
    {
        var model = Model.Create(new ModelRegistered(Guid.NewGuid(), "brain", "segmentation", "ml", Now));
        for (var number = 1; number <= count; number++)
        {
            model = Model.Apply(new ModelVersionRegistered(model.Id, Guid.NewGuid(), number, [new Metric("dice", 0.8)],
                new ModelLineage(null, [], [], Digest, "git:1"), Digest, "ml", Now), model);
        }
        return model with { Version = 1 + count };
    }

    private static RegisterModelVersion.Known Known(Guid[] labelRevisionIds) => new(labelRevisionIds.ToHashSet(), new Dictionary<Guid, GivenFeedback>(), null);

    private static DomainException Refusal(Action decide) => Assert.ThrowsAny<DomainException>(decide);

    [Fact]
    public void creating_a_dataset_trims_its_name_and_refuses_an_empty_one()
    {
        var id = Guid.NewGuid();
        var created = CreateDataset.Decide(new CreateDataset("  hips ", null, null), id, "alice", Now);
        Assert.Equal(new DatasetCreated(id, "hips", "", false, "alice", Now), created);
        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => CreateDataset.Decide(new CreateDataset(" ", null, null), id, "alice", Now)).Code);
    }

    [Fact]
    public void adding_cases_skips_studies_already_present_or_repeated_and_refuses_a_missing_dataset_or_bad_uid()
    {
        var dataset = Dataset.Create(new DatasetCreated(Guid.NewGuid(), "hips", "", false, "alice", Now));
        var ids = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        var archived = new HashSet<string> { "1.2.1", "1.2.2" };
        var added = AddCases.Decide(dataset, new HashSet<string> { "1.2.1" }, archived, new AddCases(dataset.Id, ["1.2.1", "1.2.2", "1.2.2"]), ids, "bob", Now);
        Assert.Equal([new CaseAdded(ids[1], dataset.Id, "1.2.2", "bob", Now)], added);

        Assert.Equal(ErrorCodes.DatasetNotFound,
            Refusal(() => AddCases.Decide(null, new HashSet<string>(), archived, new AddCases(dataset.Id, ["1.2"]), ids, "bob", Now)).Code);
        Assert.Equal(ErrorCodes.InvalidInput,
            Refusal(() => AddCases.Decide(dataset, new HashSet<string>(), archived, new AddCases(dataset.Id, ["1.02"]), ids, "bob", Now)).Code);
    }

    [Fact]
    public void adding_cases_refuses_all_of_them_when_one_study_is_not_in_the_archive()
    {
        var dataset = Dataset.Create(new DatasetCreated(Guid.NewGuid(), "hips", "", false, "alice", Now));
        var ids = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };

        var refusal = Refusal(() => AddCases.Decide(dataset, new HashSet<string>(), new HashSet<string> { "1.2.1" },
            new AddCases(dataset.Id, ["1.2.1", "1.2.7", "1.2.8"]), ids, "bob", Now));

        Assert.Equal(ErrorCodes.StudyNotInArchive, refusal.Code);
        Assert.Equal(["1.2.7", "1.2.8"], (IEnumerable<string>)refusal.Details["missingStudyInstanceUids"]!);
        Assert.Contains("1.2.7, 1.2.8", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("STOW-RS", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void assigning_a_case_to_its_current_assignee_changes_nothing()
    {
        var @case = NewCase();
        var assigned = Assert.Single(AssignCase.Decide(@case, new AssignCase(@case.Id, "ann"), Lead, Now));
        Assert.Empty(AssignCase.Decide(Case.Apply(assigned, @case), new AssignCase(@case.Id, "ann"), Lead, Now));
    }

    [Fact]
    public void an_annotator_cannot_take_a_case_assigned_to_another_annotator()
    {
        var @case = Case.Apply(Assert.Single(AssignCase.Decide(NewCase(), new AssignCase(Guid.Empty, "ann"), Lead, Now)), NewCase());

        var refusal = Refusal(() => AssignCase.Decide(@case, new AssignCase(@case.Id, "ben"), new Caller("ben", ActsForOthers: false), Now));

        Assert.Equal(ErrorCodes.CaseAssignedToSomeoneElse, refusal.Code);
        Assert.Equal("ann", refusal.Details["assignedTo"]);
    }

    [Fact]
    public void an_annotator_assigns_a_free_case_only_to_themselves()
    {
        var @case = NewCase();
        var ben = new Caller("ben", ActsForOthers: false);

        Assert.Equal(ErrorCodes.Forbidden, Refusal(() => AssignCase.Decide(@case, new AssignCase(@case.Id, "nobody-knows"), ben, Now)).Code);
        Assert.Equal("ben", Assert.Single(AssignCase.Decide(@case, new AssignCase(@case.Id, "ben"), ben, Now)).Assignee);
    }

    [Fact]
    public void an_assignee_is_a_user_name_without_spaces()
    {
        var @case = NewCase();

        Assert.Equal(ErrorCodes.InvalidInput, Refusal(() => AssignCase.Decide(@case, new AssignCase(@case.Id, "ann smith"), Lead, Now)).Code);
    }

    [Fact]
    public void an_annotator_cannot_label_a_case_assigned_to_someone_else()
    {
        var @case = NewCase() with { AssignedTo = "ann" };

        var refusal = Refusal(() => SubmitLabel.Decide(@case, new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest), Stored, Guid.NewGuid(),
            new Caller("ben", ActsForOthers: false), Now));

        Assert.Equal(ErrorCodes.CaseAssignedToSomeoneElse, refusal.Code);
    }

    [Fact]
    public void a_radiologist_may_label_a_case_assigned_to_an_annotator()
    {
        var @case = NewCase() with { AssignedTo = "ann" };

        var submitted = SubmitLabel.Decide(@case, new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest), Stored, Guid.NewGuid(),
            new Caller("rad", ActsForOthers: true), Now);

        Assert.Equal("rad", submitted.SubmittedBy);
    }

    [Fact]
    public void a_label_whose_blob_is_not_stored_is_refused()
    {
        var @case = NewCase();

        var refusal = Refusal(() => SubmitLabel.Decide(@case, new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest), _ => false, Guid.NewGuid(),
            new Caller("ann", ActsForOthers: false), Now));

        Assert.Equal(ErrorCodes.BlobNotFound, refusal.Code);
    }

    [Fact]
    public void a_digest_in_upper_case_hex_is_accepted_and_kept_in_lower_case()
    {
        var @case = NewCase();

        var submitted = SubmitLabel.Decide(@case, new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest.ToUpperInvariant()), Stored, Guid.NewGuid(),
            new Caller("ann", ActsForOthers: false), Now);

        Assert.Equal(Digest, submitted.BlobDigest);
    }

    [Fact]
    public void a_model_for_a_task_the_worker_does_not_know_is_refused()
    {
        Assert.Equal(ErrorCodes.ModelTaskUnknown, Refusal(() => RegisterModel.Decide(false, new RegisterModel("liver", "liver"), Guid.NewGuid(), "ml", Now)).Code);
        Assert.Equal("liver-ct", RegisterModel.Decide(false, new RegisterModel("liver", " liver-ct "), Guid.NewGuid(), "ml", Now).Task);
    }

    [Fact]
    public void submitting_on_the_current_revision_makes_the_next_revision()
    {
        var @case = NewCase();
        var revisionId = Guid.NewGuid();
        var submitted = SubmitLabel.Decide(@case, new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest), Stored, revisionId, new Caller("ann", ActsForOthers: false), Now);
        Assert.Equal(new LabelSubmitted(@case.Id, revisionId, 1, LabelKind.Segmentation, Digest, "ann", Now), submitted);
        Assert.Equal(1, Case.Apply(submitted, @case).CurrentRevision);
    }

    [Fact]
    public void submitting_on_a_stale_revision_is_a_conflict_that_names_the_current_revision()
    {
        var @case = NewCase();
        var first = SubmitLabel.Decide(@case, new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest), Stored, Guid.NewGuid(), new Caller("ann", ActsForOthers: false), Now);
        @case = Case.Apply(first, @case);

        var conflict = Refusal(() => SubmitLabel.Decide(@case, new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest), Stored, Guid.NewGuid(), new Caller("ben", ActsForOthers: false), Now));
        Assert.Equal(ErrorCodes.LabelRevisionConflict, conflict.Code);
        Assert.Equal(1, conflict.Details["currentRevision"]);
        Assert.Equal(ErrorCodes.InvalidInput,
            Refusal(() => SubmitLabel.Decide(@case, new SubmitLabel(@case.Id, 1, LabelKind.Segmentation, "md5:x"), Stored, Guid.NewGuid(), new Caller("ben", ActsForOthers: false), Now)).Code);
    }

    [Fact]
    public void a_review_applies_to_the_current_revision_only_and_only_once()
    {
        var @case = NewCase();
        var submitted = SubmitLabel.Decide(@case, new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest), Stored, Guid.NewGuid(), new Caller("ann", ActsForOthers: false), Now);
        @case = Case.Apply(submitted, @case);

        Assert.Equal(ErrorCodes.LabelRevisionConflict,
            Refusal(() => ReviewLabel.Decide(@case, new ReviewLabel(@case.Id, Guid.NewGuid(), ReviewDecision.Approve, null), "rad", Now)).Code);
        var reviewed = ReviewLabel.Decide(@case, new ReviewLabel(@case.Id, submitted.LabelRevisionId, ReviewDecision.Reject, " redo "), "rad", Now);
        Assert.Equal("redo", reviewed.Comment);
        @case = Case.Apply(reviewed, @case);
        Assert.Equal(LabelStatus.Rejected, @case.LabelStatus);
        Assert.Equal(ErrorCodes.LabelAlreadyReviewed,
            Refusal(() => ReviewLabel.Decide(@case, new ReviewLabel(@case.Id, submitted.LabelRevisionId, ReviewDecision.Approve, null), "rad", Now)).Code);
    }

    [Fact]
    public void a_radiologist_corrects_an_annotators_label_on_their_case_and_approves_the_correction_which_becomes_the_label()
    {
        var @case = NewCase();
        @case = Case.Apply(Assert.Single(AssignCase.Decide(@case, new AssignCase(@case.Id, "ann"), Lead, Now)), @case);
        var annotators = SubmitLabel.Decide(@case, new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest), Stored, Guid.NewGuid(), new Caller("ann", ActsForOthers: false), Now);
        @case = Case.Apply(annotators, @case);
        var radiologist = new Caller("rad", ActsForOthers: true);

        // The correction goes on top of the revision reviewed, as the label review page submits it: held by the annotator, the case is still the radiologist's to label.
        var correction = SubmitLabel.Decide(@case, new SubmitLabel(@case.Id, 1, LabelKind.Segmentation, Digest), Stored, Guid.NewGuid(), radiologist, Now);
        @case = Case.Apply(correction, @case);
        // A reviewer approves their own correction (MONAI Label, CVAT: a reviewer's fix is the accepted label).
        var approved = ReviewLabel.Decide(@case, new ReviewLabel(@case.Id, correction.LabelRevisionId, ReviewDecision.Approve, null), "rad", Now);
        @case = Case.Apply(approved, @case);

        Assert.Equal((2, "rad"), (correction.Revision, correction.SubmittedBy));
        Assert.Equal((2, correction.LabelRevisionId, LabelStatus.Approved), (@case.CurrentRevision, @case.CurrentRevisionId, @case.LabelStatus));
        // A correction made on a revision that is no longer current is refused, so a later resubmission is never approved unseen.
        Assert.Equal(ErrorCodes.LabelRevisionConflict,
            Refusal(() => SubmitLabel.Decide(@case, new SubmitLabel(@case.Id, 1, LabelKind.Segmentation, Digest), Stored, Guid.NewGuid(), radiologist, Now)).Code);
    }

    [Fact]
    public void registering_a_version_numbers_it_and_checks_its_lineage()
    {
        var model = ModelWithVersions(1);
        var baseId = model.Versions[0].Id;
        var labelId = Guid.NewGuid();
        var command = new RegisterModelVersion(model.Id, [new Metric("dice", 0.9)], Digest, baseId, [labelId, labelId], null, Digest, "git:2");
        var registered = RegisterModelVersion.Decide(model, Known([labelId]), command, Guid.NewGuid(), "trainer", Now);
        Assert.Equal(2, registered.Number);
        Assert.Equal([labelId], registered.Lineage.LabelRevisionIds);
        Assert.Equal(baseId, registered.Lineage.BaseVersionId);

        Assert.Equal(ErrorCodes.LabelRevisionNotFound,
            Refusal(() => RegisterModelVersion.Decide(model, RegisterModelVersion.Known.Nothing, command, Guid.NewGuid(), "trainer", Now)).Code);
        Assert.Equal(ErrorCodes.ModelVersionNotFound,
            Refusal(() => RegisterModelVersion.Decide(model, Known([labelId]), command with { BaseVersionId = Guid.NewGuid() }, Guid.NewGuid(), "t", Now)).Code);
        Assert.Equal(ErrorCodes.InvalidInput,
            Refusal(() => RegisterModelVersion.Decide(model, Known([labelId]), command with { Metrics = [new Metric("dice", double.NaN)] }, Guid.NewGuid(), "t", Now)).Code);
    }

    [Fact]
    public void an_imported_version_needs_no_data_digest_and_its_lineage_names_the_source()
    {
        var model = ModelWithVersions(0);
        var command = new RegisterModelVersion(model.Id, [], Digest, null, null, null, null, "imported",
            ImportedFrom: new ModelImport(Digest, " hip_densenet.pt, trained at another hospital "));
        var registered = RegisterModelVersion.Decide(model, RegisterModelVersion.Known.Nothing, command, Guid.NewGuid(), "ml", Now);
        Assert.Null(registered.Lineage.DataDigest);
        Assert.Equal(new ModelImport(Digest, "hip_densenet.pt, trained at another hospital"), registered.Lineage.ImportedFrom);
    }

    [Fact]
    public void an_imported_version_naming_a_training_lineage_is_refused()
    {
        var model = ModelWithVersions(1);
        var command = new RegisterModelVersion(model.Id, [], Digest, model.Versions[0].Id, null, null, null, "imported",
            ImportedFrom: new ModelImport(Digest, "hip_densenet.pt"));
        var refusal = Refusal(() => RegisterModelVersion.Decide(model, RegisterModelVersion.Known.Nothing, command, Guid.NewGuid(), "ml", Now));
        Assert.Equal(ErrorCodes.InvalidInput, refusal.Code);
        Assert.Contains("leave baseVersionId", refusal.Message);
    }

    [Fact]
    public void a_trained_version_without_a_data_digest_is_refused_pointing_at_imported_from()
    {
        var model = ModelWithVersions(0);
        var command = new RegisterModelVersion(model.Id, [], Digest, null, null, null, null, "git:1");
        var refusal = Refusal(() => RegisterModelVersion.Decide(model, RegisterModelVersion.Known.Nothing, command, Guid.NewGuid(), "ml", Now));
        Assert.Equal(ErrorCodes.InvalidInput, refusal.Code);
        Assert.Contains("importedFrom", refusal.Message);
    }

    [Fact]
    public void promoting_archives_the_previous_production_version_and_a_stale_expected_version_is_a_conflict()
    {
        var model = ModelWithVersions(2);
        var (v1, v2) = (model.Versions[0].Id, model.Versions[1].Id);

        var first = PromoteModelVersion.Decide(model, new PromoteModelVersion(model.Id, v1, (int)model.Version), "ml", Now);
        Assert.Null(first.ReplacedVersionId);
        model = Model.Apply(first, model) with { Version = model.Version + 1 };

        Assert.Equal(ErrorCodes.ModelVersionConflict,
            Refusal(() => PromoteModelVersion.Decide(model, new PromoteModelVersion(model.Id, v2, (int)model.Version - 1), "ml", Now)).Code);
        Assert.Equal(ErrorCodes.ModelStageInvalid,
            Refusal(() => PromoteModelVersion.Decide(model, new PromoteModelVersion(model.Id, v1, (int)model.Version), "ml", Now)).Code);

        var second = PromoteModelVersion.Decide(model, new PromoteModelVersion(model.Id, v2, (int)model.Version), "ml", Now);
        Assert.Equal(v1, second.ReplacedVersionId);
        model = Model.Apply(second, model);
        Assert.Equal(ModelStage.Archived, model.FindVersion(v1)!.Stage);
        Assert.Equal(v2, model.ProductionVersionId);
    }

    [Fact]
    public void rolling_back_restores_the_version_that_was_replaced_and_needs_one()
    {
        var model = ModelWithVersions(2);
        Assert.Equal(ErrorCodes.NothingToRollBackTo,
            Refusal(() => RollbackModel.Decide(model, new RollbackModel(model.Id, (int)model.Version), "ml", Now)).Code);

        model = Model.Apply(new ModelVersionPromoted(model.Id, model.Versions[0].Id, null, "ml", Now), model);
        model = Model.Apply(new ModelVersionPromoted(model.Id, model.Versions[1].Id, model.Versions[0].Id, "ml", Now), model);
        var rolledBack = RollbackModel.Decide(model, new RollbackModel(model.Id, (int)model.Version), "ml", Now);
        Assert.Equal((model.Versions[1].Id, model.Versions[0].Id), (rolledBack.FromVersionId, rolledBack.ToVersionId));
        model = Model.Apply(rolledBack, model);
        Assert.Equal(model.Versions[0].Id, model.ProductionVersionId);
        Assert.Equal(ModelStage.RolledBack, model.Versions[1].Stage);
    }

    [Fact]
    public void a_promotion_and_a_rollback_carry_the_reason_trimmed_and_a_blank_one_as_none()
    {
        var model = ModelWithVersions(2);
        var first = PromoteModelVersion.Decide(model, new PromoteModelVersion(model.Id, model.Versions[0].Id, (int)model.Version, " \t"), "ml", Now);
        model = Model.Apply(first, model);
        var second = PromoteModelVersion.Decide(model, new PromoteModelVersion(model.Id, model.Versions[1].Id, (int)model.Version, "  better dice  "), "ml", Now);
        model = Model.Apply(second, model);
        var rolledBack = RollbackModel.Decide(model, new RollbackModel(model.Id, (int)model.Version, "\nmisses small lesions\n"), "ml", Now);

        Assert.Equal((null, "better dice", "misses small lesions"), (first.Reason, second.Reason, rolledBack.Reason));
    }

    [Fact]
    public void a_reason_over_the_limit_is_refused_as_reason_too_long_for_a_promotion_and_a_rollback()
    {
        var model = ModelWithVersions(2);
        var atLimit = new string('r', StatedReason.MaxLength);
        var promoted = PromoteModelVersion.Decide(model, new PromoteModelVersion(model.Id, model.Versions[0].Id, (int)model.Version, $" {atLimit} "), "ml", Now);
        Assert.Equal(atLimit, promoted.Reason);

        var tooLong = atLimit + "r";
        Assert.Equal(ErrorCodes.ReasonTooLong,
            Refusal(() => PromoteModelVersion.Decide(model, new PromoteModelVersion(model.Id, model.Versions[0].Id, (int)model.Version, tooLong), "ml", Now)).Code);
        model = Model.Apply(promoted, model);
        model = Model.Apply(new ModelVersionPromoted(model.Id, model.Versions[1].Id, model.Versions[0].Id, "ml", Now), model);
        var refusal = Refusal(() => RollbackModel.Decide(model, new RollbackModel(model.Id, (int)model.Version, tooLong), "ml", Now));
        Assert.Equal(ErrorCodes.ReasonTooLong, refusal.Code);
        Assert.Equal(StatedReason.MaxLength, refusal.Details["maxLength"]);
    }

    /// <summary>A model's stream: v1 and v2 registered at Now, v1 promoted an hour later, v2 two hours later (with
    /// <paramref name="promoteReason"/>), and v1 restored by a rollback three hours later (with <paramref name="rollbackReason"/>).</summary>
    private static (Guid V1, Guid V2, object[] Events) PromotedTwiceThenRolledBack(string? promoteReason = null, string? rollbackReason = null)
    {
        var modelId = Guid.NewGuid();
        var (v1, v2) = (Guid.NewGuid(), Guid.NewGuid());
        var lineage = new ModelLineage(null, [], [], Digest, "git:1");
        return (v1, v2,
        [
            new ModelRegistered(modelId, "m", "segmentation", "ml", Now),
            new ModelVersionRegistered(modelId, v1, 1, [], lineage, Digest, "ml", Now),
            new ModelVersionRegistered(modelId, v2, 2, [], lineage, Digest, "ml", Now),
            new ModelVersionPromoted(modelId, v1, null, "ml", Now.AddHours(1)),
            new ModelVersionPromoted(modelId, v2, v1, "ml", Now.AddHours(2), promoteReason),
            new ModelVersionRolledBack(modelId, v2, v1, "ml", Now.AddHours(3), rollbackReason),
        ]);
    }

    [Fact]
    public void the_production_history_shows_an_engineers_reason_and_none_for_a_change_without_one()
    {
        var (_, _, events) = PromotedTwiceThenRolledBack("better dice", "misses small lesions");

        Assert.Equal(["misses small lesions", "better dice", null], ProductionHistory.Of(events)!.Select(period => period.Reason));
    }

    [Fact]
    public void retiring_refuses_the_production_version()
    {
        var model = ModelWithVersions(1);
        model = Model.Apply(new ModelVersionPromoted(model.Id, model.Versions[0].Id, null, "ml", Now), model);
        Assert.Equal(ErrorCodes.ModelStageInvalid,
            Refusal(() => RetireModelVersion.Decide(model, new RetireModelVersion(model.Id, model.Versions[0].Id, (int)model.Version), "ml", Now)).Code);
    }

    [Fact]
    public void production_as_of_an_instant_replays_only_the_events_that_had_happened()
    {
        var (v1, v2, events) = PromotedTwiceThenRolledBack();
        Assert.Null(Model.AsOf(events, Now.AddMinutes(30))!.ProductionVersionId);
        Assert.Equal(v1, Model.AsOf(events, Now.AddHours(1.5))!.ProductionVersionId);
        Assert.Equal(v2, Model.AsOf(events, Now.AddHours(2.5))!.ProductionVersionId);
        Assert.Equal(v1, Model.AsOf(events, Now.AddHours(4))!.ProductionVersionId);
        Assert.Null(Model.AsOf(events, Now.AddMinutes(-1)));
    }
}
