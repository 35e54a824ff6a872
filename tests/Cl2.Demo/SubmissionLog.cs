using System.Text.Json;

namespace Cl2.Demo;

/// <summary>
/// What the demo's people submitted on one workload, with the ids labeling answered, written with <c>--record FILE</c>
/// (<see cref="DemoRecord"/>): the end-to-end test compares each version's lineage, read back through GraphQL, with this
/// (not with what the demo prints), and so does the demo itself (<see cref="LineageCheck"/>).
/// </summary>
public sealed class SubmissionLog
{
    /// <summary>The workload's name (e.g. liver-ct).</summary>
    public string Task { get; init; } = "";

    public string ModelId { get; set; } = "";

    public string DatasetId { get; set; } = "";

    /// <summary>Every annotator's label, with the split part of its case (train, validation or test).</summary>
    public List<SubmittedLabel> Labels { get; } = [];

    /// <summary>Every radiologist's correction, in the order given.</summary>
    public List<SubmittedCorrection> Corrections { get; } = [];

    /// <summary>Every version the worker registered, in the order the demo saw them.</summary>
    public List<RegisteredVersion> Versions { get; } = [];

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}

/// <summary>The file <c>--record FILE</c> writes: one <see cref="SubmissionLog"/> per workload, in the order they ran.</summary>
public sealed record DemoRecord(IReadOnlyList<SubmissionLog> Workloads)
{
    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, SubmissionLog.Json));
}

public sealed record SubmittedLabel(string CaseId, string Part, string RevisionId);

/// <param name="Round">The retraining round it was given in (1 is the first after v1).</param>
public sealed record SubmittedCorrection(string StudyInstanceUid, int Round, string FeedbackId, string RevisionId);

public sealed record RegisteredVersion(int Number, string Id, string TrainingJobId);
