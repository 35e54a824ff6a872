using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;

namespace Cl2.Demo;

/// <summary>
/// The closed loop, end to end, as the people in a hospital would run it: an ML engineer puts a cohort into the archive and
/// makes a dataset of it, annotators label a few cases (noisily), the worker trains v1 and the gate promotes it; then the
/// PACS sends new studies, the results come back to it, radiologists correct the worst ones, the retraining policy
/// requests the next version from those corrections, the worker evaluates it and the gate promotes (or rejects) it; once
/// per <see cref="WorkloadPlan.Rounds"/>. Everything goes through the gateway with each person's own access token. One
/// instance runs the loop on one workload (<paramref name="workload"/> says what differs between them); a demo of several
/// workloads runs one after another on the same platform.
/// </summary>
public sealed class ClosedLoopDemo(WorkloadPlan plan, DemoWorkload workload, int seed, DemoPlatform platform, Stopwatch clock, TextWriter output)
{
    private const string VersionFields = """
        id number stage rejectionReason
        lineage { baseVersionId labelRevisionIds feedbackIds dataCut trainingJobId }
        evaluation { productionVersionId feedbackIds gateFailure sets { split metric caseCount candidate production } }
        """;

    private readonly List<(string Stage, TimeSpan Took)> _stages = [];
    private readonly SubmissionLog _log = new() { Task = workload.Name };

    public IReadOnlyList<(string Stage, TimeSpan Took)> Stages => _stages;

    public SubmissionLog Log => _log;

    public void Progress(string message) => output.WriteLine($"[{clock.Elapsed.TotalSeconds,5:F0} s] {message}");

    /// <summary>Runs the loop; returns the model's versions (as <see cref="VersionFields"/>), oldest first.</summary>
    public async Task<IReadOnlyList<JsonElement>> RunAsync(CancellationToken cancellationToken)
    {
        var task = workload.Name;
        using var engineer = await platform.SignInAsync("ml-engineer", cancellationToken).ConfigureAwait(false);
        using var annotator = await platform.SignInAsync("annotator", cancellationToken).ConfigureAwait(false);
        using var radiologist = await platform.SignInAsync("radiologist", cancellationToken).ConfigureAwait(false);

        var cohortFolder = Path.Combine(platform.Root, "cohort", task);
        var cohort = await StageAsync("synthetic cohort", async () =>
        {
            var written = SyntheticCohort.Write(plan.Task, cohortFolder, plan.CohortCases, seed, plan.Size, cancellationToken: cancellationToken);
            Progress($"wrote a synthetic {task} cohort of {plan.CohortCases} studies ({plan.Size} voxels a side, seed {seed}) with ground truth");
            return await Task.FromResult(written).ConfigureAwait(false);
        }).ConfigureAwait(false);
        var labelled = cohort.Cases.Take(plan.LabelledCases).ToList();
        var incoming = cohort.Cases.Skip(plan.LabelledCases).ToList();

        var (datasetId, caseIds, parts) = await StageAsync("dataset", () => MakeDatasetAsync(engineer, labelled, cohortFolder, cancellationToken)).ConfigureAwait(false);
        await StageAsync("annotators' labels", () => LabelAsync(annotator, labelled, caseIds, parts, cohortFolder, cancellationToken)).ConfigureAwait(false);

        var modelId = (await engineer.GraphQLAsync("mutation($name: String!, $task: String!) { registerModel(input: { name: $name, task: $task }) { id } }",
            new { name = $"{task}-demo", task }, cancellationToken).ConfigureAwait(false)).GetProperty("registerModel").GetProperty("id").GetString()!;
        _log.ModelId = modelId;
        _log.DatasetId = datasetId;
        await engineer.GraphQLAsync("mutation($input: SetPromotionGateInput!) { setPromotionGate(input: $input) { id } }",
            new { input = new { modelId, margin = GateMargin, autoPromote = true } }, cancellationToken).ConfigureAwait(false);
        Progress($"registered model {task}-demo; its evaluation gate promotes a candidate at most {GateMargin:F2} below production on the test split and on held-out corrections");

        var first = await StageAsync("v1: training and evaluation", async () =>
        {
            // On the cohort's own grid (x, y, z): the liver workload's 1.5 × 1.5 × 2 mm would make each small case hundreds of
            // voxels a side. Later versions fine-tune production and keep its grid.
            var spacingMm = workload.TrainingGrid(cohortFolder, cohort.Cases[0]);
            var jobId = (await engineer.GraphQLAsync("mutation($input: RequestTrainingInput!) { requestTraining(input: $input) { id } }",
                    new { input = new { modelId, datasetId, trigger = "demo: the first version", recipe = new { epochs = plan.FirstEpochs, spacingMm } } }, cancellationToken)
                .ConfigureAwait(false)).GetProperty("requestTraining").GetProperty("id").GetString()!;
            Progress($"ML engineer requested v1 ({plan.FirstEpochs} epochs on the annotators' labels); waiting for the worker");
            return await VersionOfJobAsync(engineer, jobId, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
        if (first.GetProperty("stage").GetString() != "PRODUCTION")
        {
            throw new InvalidOperationException($"v1 is not in production after its evaluation: {first}");
        }

        await SaveRoutingRuleAsync(engineer, task, cancellationToken).ConfigureAwait(false);
        await engineer.GraphQLAsync("mutation($input: SetRetrainingPolicyInput!) { setRetrainingPolicy(input: $input) { modelId } }",
            new { input = new { modelId, datasetId, newLabelThreshold = plan.CorrectionsPerRound } }, cancellationToken).ConfigureAwait(false);
        Progress($"routing rule: {workload.Modality} studies go to {task}-demo's production version; retraining policy: a job after {plan.CorrectionsPerRound} corrections");

        var pacsIds = new Dictionary<string, string>();
        foreach (var item in incoming)
        {
            pacsIds[item.Id] = (await platform.Pacs.UploadAsync(StudyFiles(cohortFolder, item), cancellationToken).ConfigureAwait(false)).Single();
        }
        Progress($"{incoming.Count} new studies are in the PACS");

        for (var round = 1; round <= plan.Rounds; round++)
        {
            var studies = incoming.Skip((round - 1) * plan.StudiesPerRound).Take(plan.StudiesPerRound).ToList();
            // Inference reads the production version again every DemoPlatform.ServingPollInterval: after a promotion, the
            // round's studies wait that long so the new version is the one that serves them.
            await Task.Delay(DemoPlatform.ServingPollInterval * 2, cancellationToken).ConfigureAwait(false);
            var judged = await StageAsync($"round {round}: studies from the PACS, results back", () =>
                SendAndJudgeAsync(engineer, studies, pacsIds, cohortFolder, cancellationToken)).ConfigureAwait(false);
            var version = await StageAsync($"round {round}: corrections, retraining, evaluation", () =>
                CorrectAndRetrainAsync(engineer, radiologist, modelId, round, judged, cohortFolder, cancellationToken)).ConfigureAwait(false);
            Progress($"v{version.GetProperty("number").GetInt32()}: {Decision(version)}");
        }

        return [.. (await engineer.GraphQLAsync($"query($id: ID!) {{ model(id: $id) {{ versions {{ {VersionFields} }} }} }}", new { id = modelId }, cancellationToken)
                .ConfigureAwait(false)).GetProperty("model").GetProperty("versions").EnumerateArray()
            .OrderBy(version => version.GetProperty("number").GetInt32())];
    }

    /// <summary>How far below production a candidate may score and still be promoted.</summary>
    public const double GateMargin = 0.05;

    /// <summary>The gate's decision on a version, in words.</summary>
    public static string Decision(JsonElement version)
    {
        if (version.GetProperty("evaluation") is not { ValueKind: JsonValueKind.Object } evaluation)
        {
            return "not evaluated";
        }
        return evaluation.GetProperty("gateFailure").GetString() is { } failure ? $"rejected: {failure}" : "passed the gate, promoted";
    }

    private async Task<(string DatasetId, Dictionary<string, string> CaseIds, Dictionary<string, string> Parts)> MakeDatasetAsync(Person engineer,
        IReadOnlyList<CohortCase> labelled, string cohortFolder, CancellationToken cancellationToken)
    {
        await ArchivedStudies.StoreFilesAsync(engineer.Http, labelled.SelectMany(item => StudyFiles(cohortFolder, item)), cancellationToken).ConfigureAwait(false);
        var datasetId = (await engineer.GraphQLAsync("mutation($name: String!) { createDataset(input: { name: $name }) { id } }",
            new { name = $"{plan.Task.Name()} demo" }, cancellationToken).ConfigureAwait(false)).GetProperty("createDataset").GetProperty("id").GetString()!;
        var caseIds = (await engineer.GraphQLAsync("mutation($input: AddCasesInput!) { addCases(input: $input) { id studyInstanceUid } }",
                new { input = new { datasetId, studyInstanceUids = labelled.Select(item => item.StudyInstanceUid).ToArray() } }, cancellationToken).ConfigureAwait(false))
            .GetProperty("addCases").EnumerateArray()
            .ToDictionary(item => item.GetProperty("studyInstanceUid").GetString()!, item => item.GetProperty("id").GetString()!);
        var split = (await engineer.GraphQLAsync(
                "mutation($input: FixDatasetSplitInput!) { fixDatasetSplit(input: $input) { split { trainCaseIds validationCaseIds testCaseIds } } }",
                new { input = new { datasetId, validationFraction = plan.ValidationFraction, testFraction = plan.TestFraction, seed } }, cancellationToken)
            .ConfigureAwait(false)).GetProperty("fixDatasetSplit").GetProperty("split");
        var parts = new Dictionary<string, string>();
        foreach (var (field, part) in new[] { ("trainCaseIds", "train"), ("validationCaseIds", "validation"), ("testCaseIds", "test") })
        {
            foreach (var id in split.GetProperty(field).EnumerateArray())
            {
                parts[id.GetString()!] = part;
            }
        }
        Progress($"ML engineer stored {labelled.Count} studies in the archive (STOW-RS) and made dataset '{plan.Task.Name()} demo': "
            + $"{parts.Values.Count(part => part == "train")} train, {parts.Values.Count(part => part == "validation")} validation, "
            + $"{parts.Values.Count(part => part == "test")} test (the fixed held-out split)");
        return (datasetId, caseIds, parts);
    }

    /// <summary>The annotators label every case: train and validation cases as they draw them (with their slip), the test cases
    /// exactly (the held-out split is labelled with care: it is what every version is judged on).</summary>
    private async Task LabelAsync(Person annotator, IReadOnlyList<CohortCase> labelled, Dictionary<string, string> caseIds, Dictionary<string, string> parts,
        string cohortFolder, CancellationToken cancellationToken)
    {
        foreach (var item in labelled)
        {
            var caseId = caseIds[item.StudyInstanceUid];
            var part = parts[caseId];
            var (digest, kind) = await workload.UploadLabelAsync(annotator, plan, item, cohortFolder, exact: part == "test",
                Path.Combine(platform.Root, "masks", workload.Name, item.Id), cancellationToken).ConfigureAwait(false);
            var revisionId = (await annotator.GraphQLAsync("mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
                    new { input = new { caseId, baseRevision = 0, kind, blobDigest = digest } }, cancellationToken).ConfigureAwait(false))
                .GetProperty("submitLabel").GetProperty("id").GetString()!;
            _log.Labels.Add(new SubmittedLabel(caseId, part, revisionId));
        }
        Progress($"annotator labelled {labelled.Count} cases: {workload.Slip(plan)}, the test labels exact");
    }

    private async Task SaveRoutingRuleAsync(Person engineer, string task, CancellationToken cancellationToken)
    {
        var table = (await engineer.GraphQLAsync("{ routingRules { version } }", null, cancellationToken).ConfigureAwait(false))
            .GetProperty("routingRules").GetProperty("version").GetInt32();
        await engineer.GraphQLAsync("mutation($input: SaveRoutingRuleInput!) { saveRoutingRule(input: $input) { version } }",
            new { input = new { name = $"{task} demo", priority = 1, workload = task, modelName = $"{task}-demo", modality = workload.Modality, expectedVersion = table } },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The PACS sends the studies to CL2; once each one's SEG is back in the PACS and its outcome recorded, the
    /// radiologists judge it. Returns (case, inference result id, version number, the radiologist's score), worst first.</summary>
    private async Task<List<(CohortCase Case, string ResultId, int Version, double Score)>> SendAndJudgeAsync(Person engineer, IReadOnlyList<CohortCase> studies,
        Dictionary<string, string> pacsIds, string cohortFolder, CancellationToken cancellationToken)
    {
        await platform.Pacs.StoreAsync("CL2", [.. studies.Select(item => pacsIds[item.Id])], cancellationToken).ConfigureAwait(false);
        Progress($"the PACS sent {studies.Count} studies to CL2 (C-STORE); waiting for their results");
        var judged = new List<(CohortCase, string, int, double)>();
        foreach (var item in studies)
        {
            JsonElement outcome = default;
            await platform.UntilAsync(async () =>
            {
                var results = await engineer.GraphQLAsync("query($study: String) { inferenceResults(study: $study) { edges { node { id failure failureReason resultUids modelVersion { number } } } } }",
                    new { study = item.StudyInstanceUid }, cancellationToken).ConfigureAwait(false);
                var edges = results.GetProperty("inferenceResults").GetProperty("edges");
                if (edges.GetArrayLength() == 0)
                {
                    return false;
                }
                outcome = edges[0].GetProperty("node");
                if (outcome.GetProperty("failure").ValueKind != JsonValueKind.Null)
                {
                    throw new InvalidOperationException($"inference failed on {item.StudyInstanceUid}: {outcome}");
                }
                return (await platform.Pacs.ResultIdsAsync(item.StudyInstanceUid, cancellationToken).ConfigureAwait(false)).Count >= outcome.GetProperty("resultUids").GetArrayLength()
                    && await ArchivedInstancesAsync(engineer, item.StudyInstanceUid, cancellationToken).ConfigureAwait(false) >= StudyFiles(cohortFolder, item).Count();
            }, $"the result of {item.Id} in the PACS and the study in cl2's archive", TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
            var score = workload.Judge(await platform.Pacs.ResultsAsync(item.StudyInstanceUid, cancellationToken).ConfigureAwait(false), item, cohortFolder);
            judged.Add((item, outcome.GetProperty("id").GetString()!, outcome.GetProperty("modelVersion").GetProperty("number").GetInt32(), score));
        }
        Progress($"results in the PACS ({workload.Score} against the phantom): "
            + string.Join(", ", judged.Select(result => string.Create(CultureInfo.InvariantCulture, $"{result.Item1.Id} v{result.Item3} {result.Item4:F3}"))));
        return [.. judged.OrderBy(result => result.Item4)];
    }

    /// <summary>The radiologists correct the worst results (the phantom's ground truth as the corrected label, through the
    /// case the review page opens for a correction); the policy then requests a job, whose version this returns.</summary>
    private async Task<JsonElement> CorrectAndRetrainAsync(Person engineer, Person radiologist, string modelId, int round,
        List<(CohortCase Case, string ResultId, int Version, double Score)> judged, string cohortFolder, CancellationToken cancellationToken)
    {
        var before = await JobIdsAsync(engineer, modelId, cancellationToken).ConfigureAwait(false);
        foreach (var (item, resultId, _, score) in judged.Take(plan.CorrectionsPerRound))
        {
            var correctionCase = (await radiologist.GraphQLAsync("mutation($input: OpenCorrectionCaseInput!) { openCorrectionCase(input: $input) { id currentRevision } }",
                new { input = new { inferenceResultId = resultId } }, cancellationToken).ConfigureAwait(false)).GetProperty("openCorrectionCase");
            var (digest, kind) = await workload.UploadLabelAsync(radiologist, plan, item, cohortFolder, exact: true,
                Path.Combine(platform.Root, "corrections", workload.Name, item.Id), cancellationToken).ConfigureAwait(false);
            var revisionId = (await radiologist.GraphQLAsync("mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
                    new
                    {
                        input = new
                        {
                            caseId = correctionCase.GetProperty("id").GetString(), baseRevision = correctionCase.GetProperty("currentRevision").GetInt32(),
                            kind, blobDigest = digest
                        }
                    }, cancellationToken).ConfigureAwait(false))
                .GetProperty("submitLabel").GetProperty("id").GetString()!;
            var feedbackId = (await radiologist.GraphQLAsync("mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
                    new
                    {
                        input = new
                        {
                            inferenceResultId = resultId, verdict = "CORRECT", correctedLabelRevisionId = revisionId,
                            comment = string.Create(CultureInfo.InvariantCulture, $"{workload.Subject} off ({workload.Score} {score:F2}); corrected")
                        }
                    }, cancellationToken)
                .ConfigureAwait(false)).GetProperty("giveFeedback").GetProperty("id").GetString()!;
            _log.Corrections.Add(new SubmittedCorrection(item.StudyInstanceUid, round, feedbackId, revisionId));
        }
        Progress($"radiologist corrected the {plan.CorrectionsPerRound} worst results; waiting for the retraining policy's job");
        string? jobId = null;
        await platform.UntilAsync(async () =>
        {
            jobId = (await JobIdsAsync(engineer, modelId, cancellationToken).ConfigureAwait(false)).Except(before).FirstOrDefault();
            return jobId is not null;
        }, "the retraining policy to request a job", TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
        Progress($"the policy requested job {jobId}; the worker fine-tunes production on the labels and corrections at its data cut");
        return await VersionOfJobAsync(engineer, jobId!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many of the study's instances cl2's archive holds (QIDO-RS through the gateway). The review page shows a
    /// study from there, so a radiologist judges it only once inference has forwarded it: a correction of a study the
    /// archive lacks is in the next job's training set, but the worker cannot read its images and skips it.</summary>
    private static async Task<int> ArchivedInstancesAsync(Person person, string studyInstanceUid, CancellationToken cancellationToken)
    {
        using var response = await person.Http.GetAsync(new Uri($"dicomweb/studies/{studyInstanceUid}/instances", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is System.Net.HttpStatusCode.NoContent or System.Net.HttpStatusCode.NotFound)
        {
            return 0;
        }
        response.EnsureSuccessStatusCode();
        using var found = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        return found.RootElement.GetArrayLength();
    }

    private static async Task<List<string>> JobIdsAsync(Person engineer, string modelId, CancellationToken cancellationToken) =>
        [.. (await engineer.GraphQLAsync("query($model: ID) { trainingJobs(model: $model, first: 100) { items { id } } }", new { model = modelId }, cancellationToken)
                .ConfigureAwait(false)).GetProperty("trainingJobs").GetProperty("items").EnumerateArray().Select(job => job.GetProperty("id").GetString()!)];

    /// <summary>Waits for the job to succeed and its version to be evaluated (the gate decides when the evaluation is
    /// recorded); the version.</summary>
    private async Task<JsonElement> VersionOfJobAsync(Person engineer, string jobId, CancellationToken cancellationToken)
    {
        JsonElement version = default;
        var lastEpoch = -1;
        await platform.UntilAsync(async () =>
        {
            var job = (await engineer.GraphQLAsync("query($id: ID!) { trainingJob(id: $id) { status versionId failureReason lastEpoch { epoch loss } } }",
                new { id = jobId }, cancellationToken).ConfigureAwait(false)).GetProperty("trainingJob");
            if (job.GetProperty("lastEpoch") is { ValueKind: JsonValueKind.Object } epoch && epoch.GetProperty("epoch").GetInt32() != lastEpoch)
            {
                lastEpoch = epoch.GetProperty("epoch").GetInt32();
                Progress(string.Create(CultureInfo.InvariantCulture, $"  epoch {lastEpoch + 1}: loss {epoch.GetProperty("loss").GetDouble():F4}"));
            }
            switch (job.GetProperty("status").GetString())
            {
                case "FAILED" or "CANCELLED":
                    throw new InvalidOperationException($"training job {jobId} did not succeed: {job.GetProperty("failureReason")}");
                case "SUCCEEDED":
                    version = (await engineer.GraphQLAsync($"query($id: ID!) {{ modelVersion(id: $id) {{ {VersionFields} }} }}",
                        new { id = job.GetProperty("versionId").GetString() }, cancellationToken).ConfigureAwait(false)).GetProperty("modelVersion");
                    return version.GetProperty("evaluation").ValueKind == JsonValueKind.Object;
                default:
                    return false;
            }
        }, $"training job {jobId}", TimeSpan.FromMinutes(15), cancellationToken).ConfigureAwait(false);
        _log.Versions.Add(new RegisteredVersion(version.GetProperty("number").GetInt32(), version.GetProperty("id").GetString()!, jobId));
        return version;
    }

    private static IEnumerable<string> StudyFiles(string cohortFolder, CohortCase item) =>
        item.Series.Values.SelectMany(series => Directory.GetFiles(Path.Combine(cohortFolder, series), "*.dcm")).Order(StringComparer.Ordinal);

    private async Task<T> StageAsync<T>(string stage, Func<Task<T>> run)
    {
        var started = clock.Elapsed;
        var result = await run().ConfigureAwait(false);
        _stages.Add((stage, clock.Elapsed - started));
        return result;
    }

    private async Task StageAsync(string stage, Func<Task> run) => await StageAsync(stage, async () =>
    {
        await run().ConfigureAwait(false);
        return 0;
    }).ConfigureAwait(false);
}
