using System.Net;

namespace Cl2.Labeling.Tests;

public sealed class LabelWorkflowTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private static readonly string Digest1 = LabelingApi.DigestOf("mask 1");
    private static readonly string Digest2 = LabelingApi.DigestOf("mask 2");

    public async Task InitializeAsync()
    {
        await api.ResetAsync();
        await api.StoreBlobAsync("mask 1");
        await api.StoreBlobAsync("mask 2");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<string> CreateDatasetAsync(string name)
    {
        var data = await api.RunAsync("""
            mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id name research } }
            """, new { input = new { name, description = "hip fractures", research = false } });
        Assert.Equal(name, data["createDataset"]!["name"]!.GetValue<string>());
        return data["createDataset"]!["id"]!.GetValue<string>();
    }

    private async Task<string[]> AddCasesAsync(string datasetId, params string[] studies)
    {
        await ArchivedStudies.StoreAsync(api.Client, studies);
        return await AddArchivedCasesAsync(datasetId, studies);
    }

    private async Task<string[]> AddArchivedCasesAsync(string datasetId, params string[] studies)
    {
        var data = await api.RunAsync("""
            mutation($input: AddCasesInput!) { addCases(input: $input) { id studyInstanceUid labelStatus } }
            """, new { input = new { datasetId, studyInstanceUids = studies } });
        return [.. data["addCases"]!.AsArray().Select(node => node!["id"]!.GetValue<string>())];
    }

    private Task<GraphQLResponse> SubmitAsync(string caseId, int baseRevision, string digest) => api.PostAsync("""
        mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id revision status blobDigest } }
        """, new { input = new { caseId, baseRevision, kind = "SEGMENTATION", blobDigest = digest } });

    [Fact]
    public async Task adding_cases_skips_studies_already_in_the_dataset_and_lists_them_paged_and_filtered_by_label_status()
    {
        var datasetId = await CreateDatasetAsync("pelvis");
        var added = await AddCasesAsync(datasetId, "1.2.3.1", "1.2.3.2", "1.2.3.3");
        Assert.Equal(3, added.Length);
        Assert.Single(await AddCasesAsync(datasetId, "1.2.3.3", "1.2.3.4"));

        var submitted = await SubmitAsync(added[0], 0, Digest1);
        Assert.Null(submitted.Errors);

        const string Cases = """
            query($dataset: ID!, $after: String, $status: LabelStatus) {
              cases(dataset: $dataset, first: 2, after: $after, labelStatus: $status, orderBy: STUDY_INSTANCE_UID) {
                totalCount
                pageInfo { hasNextPage endCursor }
                edges { node { studyInstanceUid labelStatus dataset { name } } }
              }
            }
            """;
        var first = (await api.RunAsync(Cases, new { dataset = datasetId }))["cases"]!;
        Assert.Equal(4, first["totalCount"]!.GetValue<int>());
        Assert.True(first["pageInfo"]!["hasNextPage"]!.GetValue<bool>());
        Assert.Equal(["1.2.3.1", "1.2.3.2"], first["edges"]!.AsArray().Select(edge => edge!["node"]!["studyInstanceUid"]!.GetValue<string>()));
        Assert.Equal("pelvis", first["edges"]![0]!["node"]!["dataset"]!["name"]!.GetValue<string>());

        var second = (await api.RunAsync(Cases, new { dataset = datasetId, after = first["pageInfo"]!["endCursor"]!.GetValue<string>() }))["cases"]!;
        Assert.Equal(["1.2.3.3", "1.2.3.4"], second["edges"]!.AsArray().Select(edge => edge!["node"]!["studyInstanceUid"]!.GetValue<string>()));
        Assert.False(second["pageInfo"]!["hasNextPage"]!.GetValue<bool>());

        var unlabelled = (await api.RunAsync(Cases, new { dataset = datasetId, status = "UNLABELLED" }))["cases"]!;
        Assert.Equal(3, unlabelled["totalCount"]!.GetValue<int>());

        var datasets = (await api.RunAsync("""
            { datasets(first: 10) { totalCount edges { node { name caseCount labelStatusCounts { status count } } } } }
            """))["datasets"]!;
        var node = datasets["edges"]![0]!["node"]!;
        Assert.Equal(4, node["caseCount"]!.GetValue<int>());
        Assert.Contains(node["labelStatusCounts"]!.AsArray(),
            count => count!["status"]!.GetValue<string>() == "SUBMITTED" && count["count"]!.GetValue<int>() == 1);
    }

    [Fact]
    public async Task datasets_list_their_own_cases_paged_and_filtered_in_one_response()
    {
        var hips = await CreateDatasetAsync("hips");
        var knees = await CreateDatasetAsync("knees");
        var hipCases = await AddCasesAsync(hips, "1.3.1", "1.3.2", "1.3.3");
        await AddCasesAsync(knees, "1.4.1");
        Assert.Null((await SubmitAsync(hipCases[1], 0, Digest1)).Errors);

        var datasets = (await api.RunAsync("""
            {
              datasets(first: 10) {
                edges { node { name
                  unlabelled: cases(first: 1, labelStatus: UNLABELLED, orderBy: STUDY_INSTANCE_UID, descending: true) {
                    totalCount pageInfo { hasNextPage } edges { node { studyInstanceUid } }
                  }
                  all: cases { totalCount }
                } }
              }
            }
            """))["datasets"]!["edges"]!.AsArray().Select(edge => edge!["node"]!).ToDictionary(node => node["name"]!.GetValue<string>());

        var hipPage = datasets["hips"]["unlabelled"]!;
        Assert.Equal(2, hipPage["totalCount"]!.GetValue<int>());
        Assert.True(hipPage["pageInfo"]!["hasNextPage"]!.GetValue<bool>());
        Assert.Equal("1.3.3", hipPage["edges"]![0]!["node"]!["studyInstanceUid"]!.GetValue<string>());
        Assert.Equal(3, datasets["hips"]["all"]!["totalCount"]!.GetValue<int>());
        Assert.Equal("1.4.1", datasets["knees"]["unlabelled"]!["edges"]![0]!["node"]!["studyInstanceUid"]!.GetValue<string>());
        Assert.Equal(1, datasets["knees"]["all"]!["totalCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task adding_the_same_studies_from_two_clients_at_once_creates_each_case_once()
    {
        var datasetId = await CreateDatasetAsync("import race");
        string[] first = ["1.5.1", "1.5.2", "1.5.3"], second = ["1.5.3", "1.5.4", "1.5.1"];
        await ArchivedStudies.StoreAsync(api.Client, [.. first.Union(second)]);

        var added = await Task.WhenAll(AddArchivedCasesAsync(datasetId, first), AddArchivedCasesAsync(datasetId, second));

        Assert.Equal(4, added.Sum(ids => ids.Length));
        var cases = (await api.RunAsync("query($dataset: ID!) { cases(dataset: $dataset) { totalCount } }", new { dataset = datasetId }))["cases"]!;
        Assert.Equal(4, cases["totalCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task when_two_annotators_submit_the_same_revision_the_second_gets_a_conflict()
    {
        var datasetId = await CreateDatasetAsync("brain");
        var caseId = (await AddCasesAsync(datasetId, "1.2.840.1"))[0];

        var responses = await Task.WhenAll(SubmitAsync(caseId, 0, Digest1), SubmitAsync(caseId, 0, Digest2));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.Status));
        var winner = Assert.Single(responses, response => response.Errors is null);
        var loser = Assert.Single(responses, response => response.Errors is not null);
        Assert.Equal("LABEL_REVISION_CONFLICT", loser.FirstErrorCode);
        Assert.Equal(1, winner.Data!["submitLabel"]!["revision"]!.GetValue<int>());
        var winnerDigest = winner.Data!["submitLabel"]!["blobDigest"]!.GetValue<string>();
        var loserDigest = winnerDigest == Digest1 ? Digest2 : Digest1;

        var @case = (await api.RunAsync("""
            query($id: ID!) { case(id: $id) { currentRevision labelStatus labelHistory { revision status blobDigest } } }
            """, new { id = caseId }))["case"]!;
        Assert.Equal(1, @case["currentRevision"]!.GetValue<int>());
        var history = @case["labelHistory"]!.AsArray();
        Assert.Equal(2, history.Count);
        Assert.Contains(history, entry => entry!["status"]!.GetValue<string>() == "SUBMITTED" && entry["blobDigest"]!.GetValue<string>() == winnerDigest);
        Assert.Contains(history, entry => entry!["status"]!.GetValue<string>() == "CONFLICTED" && entry["blobDigest"]!.GetValue<string>() == loserDigest);

        var resubmitted = await SubmitAsync(caseId, 1, loserDigest);
        Assert.Null(resubmitted.Errors);
        Assert.Equal(2, resubmitted.Data!["submitLabel"]!["revision"]!.GetValue<int>());
    }

    [Fact]
    public async Task a_reviewer_approves_the_current_revision_once_and_a_stale_revision_is_a_conflict()
    {
        var datasetId = await CreateDatasetAsync("liver");
        var caseId = (await AddCasesAsync(datasetId, "1.2.840.2"))[0];
        var first = (await SubmitAsync(caseId, 0, Digest1)).Data!["submitLabel"]!["id"]!.GetValue<string>();
        var second = (await SubmitAsync(caseId, 1, Digest2)).Data!["submitLabel"]!["id"]!.GetValue<string>();

        const string Review = """
            mutation($input: ReviewLabelInput!) { reviewLabel(input: $input) { id status reviewedBy reviewComment } }
            """;
        var stale = await api.PostAsync(Review, new { input = new { caseId, labelRevisionId = first, decision = "APPROVE" } });
        Assert.Equal("LABEL_REVISION_CONFLICT", stale.FirstErrorCode);

        var approved = (await api.RunAsync(Review, new { input = new { caseId, labelRevisionId = second, decision = "APPROVE", comment = "good" } }))["reviewLabel"]!;
        Assert.Equal("APPROVED", approved["status"]!.GetValue<string>());
        Assert.Equal("good", approved["reviewComment"]!.GetValue<string>());

        var again = await api.PostAsync(Review, new { input = new { caseId, labelRevisionId = second, decision = "REJECT" } });
        Assert.Equal("LABEL_ALREADY_REVIEWED", again.FirstErrorCode);
    }

    [Fact]
    public async Task assigning_a_case_shows_in_the_case_listing_filtered_by_assignee()
    {
        var datasetId = await CreateDatasetAsync("chest");
        var caseIds = await AddCasesAsync(datasetId, "1.2.5.1", "1.2.5.2");
        var assigned = (await api.RunAsync("""
            mutation($input: AssignCaseInput!) { assignCase(input: $input) { id assignedTo } }
            """, new { input = new { caseId = caseIds[1], assignee = "annotator-a" } }))["assignCase"]!;
        Assert.Equal("annotator-a", assigned["assignedTo"]!.GetValue<string>());

        var mine = (await api.RunAsync("""
            query($dataset: ID!) { cases(dataset: $dataset, assignedTo: "annotator-a") { totalCount edges { node { id } } } }
            """, new { dataset = datasetId }))["cases"]!;
        Assert.Equal(1, mine["totalCount"]!.GetValue<int>());
        Assert.Equal(caseIds[1], mine["edges"]![0]!["node"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task an_annotator_cannot_label_or_take_a_case_another_annotator_holds()
    {
        var datasetId = await CreateDatasetAsync("held");
        var caseId = (await AddCasesAsync(datasetId, "1.2.5.9"))[0];
        var held = await api.PostAsAsync(("ann", "annotator"), "query($dataset: ID!) { nextCase(dataset: $dataset) { id } }", new { dataset = datasetId });
        Assert.Equal(caseId, held.Data!["nextCase"]!["id"]!.GetValue<string>());

        var label = await api.PostAsAsync(("ben", "annotator"), "mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
            new { input = new { caseId, baseRevision = 0, kind = "SEGMENTATION", blobDigest = Digest1 } });
        var take = await api.PostAsAsync(("ben", "annotator"), "mutation($input: AssignCaseInput!) { assignCase(input: $input) { id } }",
            new { input = new { caseId, assignee = "ben" } });
        var reviewer = await api.PostAsAsync(("rad", "radiologist"), "mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { submittedBy } }",
            new { input = new { caseId, baseRevision = 0, kind = "SEGMENTATION", blobDigest = Digest1 } });

        Assert.Equal("CASE_ASSIGNED_TO_SOMEONE_ELSE", label.FirstErrorCode);
        Assert.Equal("CASE_ASSIGNED_TO_SOMEONE_ELSE", take.FirstErrorCode);
        Assert.Equal("rad", reviewer.Data!["submitLabel"]!["submittedBy"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_label_naming_a_blob_that_was_never_uploaded_is_refused()
    {
        var caseId = (await AddCasesAsync(await CreateDatasetAsync("unstored"), "1.2.5.10"))[0];

        var refused = await SubmitAsync(caseId, 0, LabelingApi.DigestOf("never uploaded"));

        Assert.Equal("BLOB_NOT_FOUND", refused.FirstErrorCode);
        Assert.Contains("POST /blobs", refused.Errors![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_model_registered_for_an_unknown_task_is_refused_naming_the_known_ones()
    {
        var refused = await api.PostAsync("mutation { registerModel(input: { name: \"liver\", task: \"liver\" }) { id } }");

        Assert.Equal("MODEL_TASK_UNKNOWN", refused.FirstErrorCode);
        Assert.Contains("brain-mri, liver-ct, hip-xray", refused.Errors![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_removed_case_leaves_the_listing_and_its_study_can_be_added_again()
    {
        var datasetId = await CreateDatasetAsync("with a mistake");
        var caseIds = await AddCasesAsync(datasetId, "1.2.5.20", "1.2.5.21");

        await api.RunAsync("mutation($input: RemoveCaseInput!) { removeCase(input: $input) }", new { input = new { caseId = caseIds[1] } });

        var dataset = (await api.RunAsync("query($id: ID!) { dataset(id: $id) { caseCount cases { edges { node { id } } } } }", new { id = datasetId }))["dataset"]!;
        Assert.Equal(1, dataset["caseCount"]!.GetValue<int>());
        Assert.Equal(caseIds[0], Assert.Single(dataset["cases"]!["edges"]!.AsArray())!["node"]!["id"]!.GetValue<string>());
        Assert.Single(await AddCasesAsync(datasetId, "1.2.5.21"));
    }

    [Fact]
    public async Task a_case_in_a_fixed_split_is_not_removed()
    {
        var datasetId = await CreateDatasetAsync("split");
        var caseIds = await AddCasesAsync(datasetId, "1.2.5.30", "1.2.5.31", "1.2.5.32");
        await api.RunAsync("mutation($input: FixDatasetSplitInput!) { fixDatasetSplit(input: $input) { id } }",
            new { input = new { datasetId, validationFraction = 0.2, testFraction = 0.2, seed = 1 } });

        var refused = await api.PostAsync("mutation($input: RemoveCaseInput!) { removeCase(input: $input) }", new { input = new { caseId = caseIds[0] } });

        Assert.Equal("CASE_IN_FIXED_SPLIT", refused.FirstErrorCode);
    }

    [Fact]
    public async Task domain_errors_carry_a_stable_code()
    {
        var missing = await api.PostAsync("""
            mutation($input: AddCasesInput!) { addCases(input: $input) { id } }
            """, new { input = new { datasetId = Guid.NewGuid(), studyInstanceUids = new[] { "1.2.3" } } });
        Assert.Equal(HttpStatusCode.OK, missing.Status);
        Assert.Equal("DATASET_NOT_FOUND", missing.FirstErrorCode);

        var datasetId = await CreateDatasetAsync("bad input");
        var invalid = await api.PostAsync("""
            mutation($input: AddCasesInput!) { addCases(input: $input) { id } }
            """, new { input = new { datasetId, studyInstanceUids = new[] { "not-a-uid" } } });
        Assert.Equal("INVALID_INPUT", invalid.FirstErrorCode);
    }

    [Fact]
    public async Task adding_cases_with_a_study_the_archive_lacks_adds_none_and_names_the_missing_study()
    {
        var datasetId = await CreateDatasetAsync("partly archived");
        await ArchivedStudies.StoreAsync(api.Client, "1.2.826.0.1.3680043.10.1");

        var refused = await api.PostAsync("""
            mutation($input: AddCasesInput!) { addCases(input: $input) { id } }
            """, new { input = new { datasetId, studyInstanceUids = new[] { "1.2.826.0.1.3680043.10.1", "1.2.826.0.1.3680043.10.2" } } });

        Assert.Equal("STUDY_NOT_IN_ARCHIVE", refused.FirstErrorCode);
        var message = refused.Errors![0]!["message"]!.GetValue<string>();
        Assert.Contains("1 of the studies are not in the archive, so no case was added: 1.2.826.0.1.3680043.10.2.", message, StringComparison.Ordinal);
        Assert.Contains("C-STORE", message, StringComparison.Ordinal);
        Assert.Contains("importFromPacs", message, StringComparison.Ordinal);
        Assert.Equal(["1.2.826.0.1.3680043.10.2"],
            refused.Errors[0]!["extensions"]!["data"]!["missingStudyInstanceUids"]!.AsArray().Select(uid => uid!.GetValue<string>()));
        var count = await api.RunAsync("query($id: ID!) { dataset(id: $id) { caseCount } }", new { id = datasetId });
        Assert.Equal(0, count["dataset"]!["caseCount"]!.GetValue<int>());
    }
}
