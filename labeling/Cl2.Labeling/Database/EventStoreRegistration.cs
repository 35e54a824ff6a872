using Cl2.Labeling.Cases;
using Cl2.Labeling.Datasets;
using Cl2.Labeling.Feedback;
using Cl2.Labeling.Inference;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Labels;
using Cl2.Labeling.Models;
using Cl2.Labeling.Training;
using JasperFx;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;
using Weasel.Core;

namespace Cl2.Labeling.Database;

public static class EventStoreRegistration
{
    /// <summary>
    /// Marten on the labeling data source, in the configured schema. Tables are created or updated at start-up
    /// (<see cref="EventStoreSchema"/>); while PostgreSQL is down the host starts anyway, reports "not ready", and the
    /// first request after it is back creates what is missing.
    /// </summary>
    public static void AddEventStore(this WebApplicationBuilder builder)
    {
        builder.Services.AddMarten(services =>
        {
            var postgres = services.GetRequiredService<IOptions<PostgresOptions>>().Value;
            var options = new StoreOptions();
            options.Connection(services.GetRequiredService<NpgsqlDataSource>());
            options.DatabaseSchemaName = postgres.Schema;
            options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
            options.UseSystemTextJsonForSerialization(EnumStorage.AsString);
            options.DisableNpgsqlLogging = true;
            // After each commit, every replica's subscribers hear of its events (CommittedEventsNotifier).
            options.Listeners.Add(services.GetRequiredService<CommittedEventsListener>());

            Project(options);
            return options;
        }).UseLightweightSessions();
        builder.Services.AddHostedService<EventStoreSchema>();
    }

    /// <summary>
    /// The projections (all inline: a document changes in the transaction of its events) and their documents' indexes. Also
    /// what a check of the projections against a rebuild from the event streams configures its store with.
    /// </summary>
    public static void Project(StoreOptions options)
    {
        options.Projections.Snapshot<Dataset>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<Case>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<Model>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<TrainingJob>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<ReceivedStudy>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<InferenceResult>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<StudyForwarding>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<StudyProcessing>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<Routing.RoutingTable>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<GivenFeedback>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<Cohorts.PacsImport>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<Retraining.RetrainingPolicy>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<Scoring.ScoringJob>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<Cl2.Labeling.Shadow.ShadowResult>(SnapshotLifecycle.Inline);
        options.Projections.Add<LabelRevisionProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<DeliveryRecordProjection>(ProjectionLifecycle.Inline);

        // The unique index also serves every "cases of these datasets" query (DatasetId is its leading column); a second
        // index on DatasetId alone cost a fifth of the PostgreSQL time of a bulk label import (one value repeated for
        // the whole dataset, updated with every snapshot) and sped up no query.
        options.Schema.For<Case>().UniqueIndex(@case => @case.DatasetId, @case => @case.StudyInstanceUid);
        options.Schema.For<LabelRevision>().Index(revision => revision.CaseId);
        options.Schema.For<Model>().Index(model => model.Name);
        options.Schema.For<TrainingJob>().Index(job => job.Status).Index(job => job.ModelId).Index(job => job.RequestedAt);
        options.Schema.For<ReceivedStudy>().Index(received => received.StudyInstanceUid);
        options.Schema.For<StudyForwarding>().Index(forwarding => forwarding.IsStuck);
        options.Schema.For<InferenceResult>().Index(result => result.StudyInstanceUid).Index(result => result.VersionId);
        options.Schema.For<DeliveryRecord>().Index(delivery => delivery.Status);
        options.Schema.For<Retraining.RetrainingPolicy>().Index(policy => policy.DatasetId);
        options.Schema.For<Scoring.ScoringJob>().Index(job => job.Status).Index(job => job.DatasetId);
        options.Schema.For<Cl2.Labeling.Shadow.ShadowResult>().Index(result => result.VersionId).Index(result => result.ProductionResultId);
        options.Schema.For<GivenFeedback>().Index(given => given.VersionId).Index(given => given.InferenceResultId);
    }
}
