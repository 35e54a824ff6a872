using System.Text.Json.Nodes;

namespace Cl2.Labeling.Tests.Routing;

/// <summary>recordInferenceResult with its routing decision, stage timings and failure outcomes, read back by study.</summary>
public sealed class RoutingInferenceOutcomeTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private const string Record = "mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }";

    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task a_study_no_rule_matched_is_recorded_with_the_reason_of_each_rule()
    {
        var routing = new
        {
            tableVersion = 3, ruleId = (string?)null, ruleName = (string?)null, ruleVersion = (int?)null,
            explanation = new[] { "rule 'brain MR' (priority 10): no series has modality MR (the study has CT)" }
        };
        await api.RunAsAsync(("inference", "service"), Record, new
        {
            input = new
            {
                studyInstanceUid = "1.2.7", modelVersionId = (string?)null,
                pipeline = "none", resultUids = Array.Empty<string>(), durationMs = 12.5, failure = "NO_RULE_MATCHED",
                failureReason = "No routing rule matched the study.", routing,
                stages = new[] { new { stage = "WAIT_FOR_COMPLETENESS", durationMs = 1000.0 } }
            }
        });

        var result = (await api.RunAsync("""
            query { inferenceResults(study: "1.2.7") { edges { node { failure failureReason modelVersion { id } versionId
              routing { tableVersion ruleId explanation } stages { stage durationMs } } } } }
            """))["inferenceResults"]!["edges"]![0]!["node"]!;
        Assert.Equal("NO_RULE_MATCHED", result["failure"]!.GetValue<string>());
        Assert.Null(result["modelVersion"]);
        Assert.Null(result["versionId"]);
        Assert.Equal(3, result["routing"]!["tableVersion"]!.GetValue<int>());
        Assert.Contains("modality MR", result["routing"]!["explanation"]![0]!.GetValue<string>());
        Assert.Equal("WAIT_FOR_COMPLETENESS", result["stages"]![0]!["stage"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_pass_through_result_is_recorded_without_a_model_version()
    {
        var recorded = await api.RunAsync(Record, new
        {
            input = new
            {
                studyInstanceUid = "1.2.8", pipeline = "pass-through", resultUids = new[] { "1.2.8.1" },
                durationMs = 40.0, stages = new[] { new { stage = "ENCODE", durationMs = 3.0 }, new { stage = "LOAD", durationMs = 5.0 } }
            }
        });

        var result = (await api.RunAsync("query($id: ID!) { inferenceResult(id: $id) { pipeline failure stages { stage } } }",
            new { id = recorded["recordInferenceResult"]!["id"]!.GetValue<string>() }))["inferenceResult"]!;
        Assert.Null(result["failure"]);
        Assert.Equal(["LOAD", "ENCODE"], result["stages"]!.AsArray().Select(stage => stage!["stage"]!.GetValue<string>()));
    }

    [Fact]
    public async Task a_model_workload_result_without_a_model_version_is_refused()
    {
        var refused = await api.PostAsync(Record, new { input = new { studyInstanceUid = "1.2.9", pipeline = "brain-mri", resultUids = new[] { "1.2.9.1" }, durationMs = 1.0 } });

        Assert.Equal("INVALID_INPUT", refused.FirstErrorCode);
        Assert.Contains("modelVersionId", refused.Errors![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_failure_without_a_reason_is_refused()
    {
        var refused = await api.PostAsync(Record, new
        {
            input = new
            {
                studyInstanceUid = "1.2.10", pipeline = "brain-mri", resultUids = Array.Empty<string>(),
                durationMs = 1.0, failure = "MISSING_SERIES"
            }
        });

        Assert.Equal("INVALID_INPUT", refused.FirstErrorCode);
        Assert.Equal(0, (await api.RunAsync("""{ inferenceResults(study: "1.2.10") { totalCount } }"""))["inferenceResults"]!["totalCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task feedback_on_a_result_that_ran_no_model_is_refused()
    {
        var id = (await api.RunAsync(Record, new
        {
            input = new
            {
                studyInstanceUid = "1.2.11", pipeline = "pass-through", resultUids = Array.Empty<string>(),
                durationMs = 1.0
            }
        }))["recordInferenceResult"]!["id"]!.GetValue<string>();

        var refused = await api.PostAsync("mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
            new { input = new { inferenceResultId = id, verdict = "ACCEPT" } });

        Assert.Equal("INVALID_INPUT", refused.FirstErrorCode);
        Assert.Contains("ran no model", refused.Errors![0]!["message"]!.GetValue<string>());
    }
}
