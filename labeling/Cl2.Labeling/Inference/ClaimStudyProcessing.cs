using Cl2.Labeling.Archive;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Inference;

/// <summary>
/// An inference replica asks to run a study's pipeline. The study is whole once the archive — where every replica
/// forwards what its listener received — has stored nothing of it for <see cref="QuietSeconds"/>; then exactly one
/// replica gets it, at the archive's instance count, for <see cref="LeaseSeconds"/>. Another replica is told who holds
/// it and until when, or that it is processed at that count already; a replica whose lease ran out loses it to the next
/// that asks. Asking again while holding it renews the lease. While another replica has a part of the study pending
/// (<see cref="RecordStudyPartReceived"/>: acknowledged, not yet in the archive, its wait not run out) nobody gets it: the
/// archive is not the whole study yet. The asking replica's own pending part does not count: it asks only once its part
/// is in the archive.
/// </summary>
public sealed record ClaimStudyProcessing(string StudyInstanceUid, string Replica, int QuietSeconds, int LeaseSeconds)
{
    public const int MaxSeconds = 24 * 3600;

    public static IReadOnlyList<object> Decide(StudyProcessing? current, StudyInArchive archive, ClaimStudyProcessing command, string by, DateTimeOffset now)
    {
        var (replica, lease) = Validate(command);
        if (archive.InstanceCount == 0 || archive.QuietFor < TimeSpan.FromSeconds(command.QuietSeconds)
            || (current is not null && current.FinishedCount >= archive.InstanceCount)
            || (current is not null && current.IsHeld(now) && current.Replica != replica)
            || (current is not null && current.PendingElsewhere(replica, now).Count > 0))
        {
            return [];
        }
        return [new StudyProcessingClaimed(StudyProcessing.IdOf(command.StudyInstanceUid), command.StudyInstanceUid, archive.InstanceCount, replica,
            now + lease, by, now)];
    }

    /// <summary>What the replica is told: whether it holds the study now, and otherwise why not and when to ask again.</summary>
    public static StudyProcessingClaim Answer(StudyProcessing? current, StudyInArchive archive, ClaimStudyProcessing command, DateTimeOffset now)
    {
        var replica = command.Replica.Trim();
        if (current is not null && current.Replica == replica && current.IsHeld(now))
        {
            return new StudyProcessingClaim(true, StudyProcessingClaimState.Granted, current.ClaimedCount, replica, current.LeaseExpiresAt, null);
        }
        // A stream that holds only pending parts has no claim yet: nobody held the study.
        var (holder, leaseExpiresAt) = current is { ClaimedCount: > 0 } ? (current.Replica, (DateTimeOffset?)current.LeaseExpiresAt) : (null, null);
        if (archive.InstanceCount == 0)
        {
            return new StudyProcessingClaim(false, StudyProcessingClaimState.NotArchived, 0, holder, leaseExpiresAt,
                now + TimeSpan.FromSeconds(command.QuietSeconds));
        }
        if (current is not null && current.FinishedCount >= archive.InstanceCount)
        {
            return new StudyProcessingClaim(false, StudyProcessingClaimState.Processed, current.FinishedCount, holder, leaseExpiresAt, null);
        }
        if (current is not null && current.IsHeld(now))
        {
            return new StudyProcessingClaim(false, StudyProcessingClaimState.Held, current.ClaimedCount, holder, leaseExpiresAt, leaseExpiresAt);
        }
        if (current?.PendingElsewhere(replica, now) is { Count: > 0 } pending)
        {
            // Ask again after a quiet period (the part, once forwarded, makes the archive busy anyway), or when a wait runs out.
            var again = now + TimeSpan.FromSeconds(Math.Max(1, command.QuietSeconds));
            return new StudyProcessingClaim(false, StudyProcessingClaimState.PartsPending, archive.InstanceCount, pending[0].Replica, leaseExpiresAt,
                pending.Select(part => part.Until).Append(again).Min());
        }
        var quietFor = archive.QuietFor ?? TimeSpan.Zero;
        return new StudyProcessingClaim(false, StudyProcessingClaimState.NotQuiet, archive.InstanceCount, holder, leaseExpiresAt,
            now + TimeSpan.FromSeconds(command.QuietSeconds) - quietFor);
    }

    /// <summary>The replica's name, trimmed, once the study's UID and the name are valid (shared by the commands on this stream).</summary>
    internal static string ValidStudyAndReplica(string studyInstanceUid, string replica)
    {
        if (!Cases.AddCases.IsUid(studyInstanceUid))
        {
            throw DomainException.Invalid($"'{studyInstanceUid}' is not a DICOM UID (digits and dots, at most 64 characters).");
        }
        var trimmed = replica.Trim();
        if (trimmed.Length is 0 or > 200)
        {
            throw DomainException.Invalid("replica names the inference replica asking (1 to 200 characters, e.g. its pod name).");
        }
        return trimmed;
    }

    private static (string Replica, TimeSpan Lease) Validate(ClaimStudyProcessing command)
    {
        var replica = ValidStudyAndReplica(command.StudyInstanceUid, command.Replica);
        if (command.QuietSeconds is < 0 or > MaxSeconds || command.LeaseSeconds is < 1 or > MaxSeconds)
        {
            throw DomainException.Invalid($"quietSeconds is 0 to {MaxSeconds} and leaseSeconds 1 to {MaxSeconds}.");
        }
        return (replica, TimeSpan.FromSeconds(command.LeaseSeconds));
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<StudyProcessingClaimGraphType>, StudyProcessingClaim>("claimStudyProcessing")
        .Description("An inference replica asks to run a study's pipeline; exactly one replica holds a study at the archive's instance count.")
        .AuthorizeWithRoles(Roles.Service)
        .Argument<NonNullGraphType<ClaimStudyProcessingInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<ClaimStudyProcessing>("input");
            var by = context.Actor();
            Validate(command);
            var archive = await context.RequestServices!.GetRequiredService<ArchiveIndex>().StudyAsync(command.StudyInstanceUid, context.CancellationToken);
            var now = context.Now();
            var decided = await StreamDecision.DecideAsync<StudyProcessing>(context.Store(), StudyProcessing.IdOf(command.StudyInstanceUid),
                current => Decide(current, archive, command, by, now), context.CancellationToken);
            return Answer(decided, archive, command, now);
        });
}

public enum StudyProcessingClaimState
{
    /// <summary>The asking replica holds the study: it runs the pipeline.</summary>
    Granted,

    /// <summary>Another replica holds it until its lease runs out.</summary>
    Held,

    /// <summary>Its outcome is recorded at the archive's instance count.</summary>
    Processed,

    /// <summary>The archive stored an instance of it less than the quiet period ago: more may come.</summary>
    NotQuiet,

    /// <summary>The archive holds nothing of it yet.</summary>
    NotArchived,

    /// <summary>Another replica acknowledged instances of it that are not in the archive yet (<c>replica</c> names one).</summary>
    PartsPending,
}

public sealed record StudyProcessingClaim(bool Granted, StudyProcessingClaimState State, int InstanceCount, string? Replica, DateTimeOffset? LeaseExpiresAt,
    DateTimeOffset? RetryAt);

public sealed class StudyProcessingClaimGraphType : ObjectGraphType<StudyProcessingClaim>
{
    public StudyProcessingClaimGraphType()
    {
        Name = "StudyProcessingClaim";
        Field(claim => claim.Granted).Description("True when the asking replica holds the study and runs its pipeline.");
        Field(claim => claim.State, type: typeof(NonNullGraphType<StudyProcessingClaimStateGraphType>));
        Field(claim => claim.InstanceCount).Description("The instances the study is processed at (the archive's count when it was claimed).");
        Field(claim => claim.Replica, nullable: true).Description("The replica that holds or last held the study; with PARTS_PENDING, one whose part is awaited.");
        Field(claim => claim.LeaseExpiresAt, nullable: true);
        Field(claim => claim.RetryAt, nullable: true).Description("When asking again may get it; null when there is nothing to ask for.");
    }
}

public sealed class StudyProcessingClaimStateGraphType : EnumerationGraphType<StudyProcessingClaimState>
{
    public StudyProcessingClaimStateGraphType() => Name = "StudyProcessingClaimState";
}

public sealed class ClaimStudyProcessingInputType : AutoRegisteringInputObjectGraphType<ClaimStudyProcessing>
{
    public ClaimStudyProcessingInputType() => Name = "ClaimStudyProcessingInput";
}
