using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cl2.Labeling.Client;

/// <summary>
/// Typed access to labeling's GraphQL API (GraphQL-over-HTTP, POST with JSON). With <paramref name="tokens"/> enabled (sign-in
/// on), subscriptions carry the service's token too: HTTP calls get it from <see cref="ServiceTokenHandler"/>.
/// </summary>
public sealed class LabelingClient(HttpClient http, ServiceTokenSource? tokens = null)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper) },
    };

    /// <summary>Runs any operation; a failure after it was sent is not retried (<see cref="LabelingRetryHandler"/>), as it may
    /// change state.</summary>
    public Task<TData> QueryAsync<TData>(string query, object? variables = null, CancellationToken cancellationToken = default) =>
        SendAsync<TData>(query, variables, readOnly: false, cancellationToken);

    /// <summary>A query without side effects: sent again after failures that a mutation could not be.</summary>
    private Task<TData> ReadAsync<TData>(string query, object? variables, CancellationToken cancellationToken) =>
        SendAsync<TData>(query, variables, readOnly: true, cancellationToken);

    private async Task<TData> SendAsync<TData>(string query, object? variables, bool readOnly, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "graphql")
        {
            Content = JsonContent.Create(new GraphQLRequest(query, variables), options: Json),
        };
        request.Options.Set(LabelingRetryHandler.Operation, OperationName(query));
        request.Options.Set(LabelingRetryHandler.ReadOnly, readOnly);
        request.Headers.Accept.ParseAdd("application/graphql-response+json");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) != true)
        {
            // A proxy's or a stopping server's answer, not GraphQL's: say which status it was rather than "no JSON".
            response.EnsureSuccessStatusCode();
        }
        var body = await response.Content.ReadFromJsonAsync<GraphQLResponse<TData>>(Json, cancellationToken);
        if (body?.Errors is { Count: > 0 } errors)
        {
            throw new LabelingApiException(errors);
        }
        response.EnsureSuccessStatusCode();
        return body is { Data: not null } ? body.Data : throw new LabelingApiException([new GraphQLError("The response had no data.", null)]);
    }

    /// <summary>"mutation RecordStudyReceived", say: the words before the variables or the selection.</summary>
    private static string OperationName(string query)
    {
        var head = query.AsSpan(0, query.AsSpan().IndexOfAny('(', '{') is var end and >= 0 ? end : query.Length).Trim();
        return head.Length == 0 ? "query" : string.Join(' ', head.ToString().Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
    }

    public async Task<TrainingJobInfo?> ClaimTrainingJobAsync(ClaimTrainingJobInput input, CancellationToken cancellationToken = default) =>
        (await QueryAsync<ClaimData>(LabelingOperations.ClaimTrainingJob, new { input }, cancellationToken)).ClaimTrainingJob;

    public async Task<TrainingJobInfo> ReportTrainingProgressAsync(ReportTrainingProgressInput input, CancellationToken cancellationToken = default) =>
        (await QueryAsync<ReportData>(LabelingOperations.ReportTrainingProgress, new { input }, cancellationToken)).ReportTrainingProgress;

    /// <summary>Extends the lease of a held job; a <see cref="LabelingApiException"/> with TRAINING_LEASE_LOST says another worker took it.</summary>
    public async Task<TrainingJobInfo> RenewTrainingLeaseAsync(RenewTrainingLeaseInput input, CancellationToken cancellationToken = default) =>
        (await QueryAsync<RenewData>(LabelingOperations.RenewTrainingLease, new { input }, cancellationToken)).RenewTrainingLease;

    public async Task<TrainingJobInfo> CompleteTrainingJobAsync(CompleteTrainingJobInput input, CancellationToken cancellationToken = default) =>
        (await QueryAsync<CompleteData>(LabelingOperations.CompleteTrainingJob, new { input }, cancellationToken)).CompleteTrainingJob;

    public async Task<TrainingJobInfo?> TrainingJobAsync(Guid id, CancellationToken cancellationToken = default) =>
        (await ReadAsync<TrainingJobData>(LabelingOperations.TrainingJob, new { id }, cancellationToken)).TrainingJob;

    public async Task<ModelVersionInfo> RegisterModelVersionAsync(RegisterModelVersionInput input, CancellationToken cancellationToken = default) =>
        (await QueryAsync<RegisterData>(LabelingOperations.RegisterModelVersion, new { input }, cancellationToken)).RegisterModelVersion;

    /// <summary>Records a candidate's evaluation beside production; with a gate on the model it decides at once.</summary>
    public async Task<ModelVersionInfo> RecordModelEvaluationAsync(RecordModelEvaluationInput input, CancellationToken cancellationToken = default) =>
        (await QueryAsync<EvaluationData>(LabelingOperations.RecordModelEvaluation, new { input }, cancellationToken)).RecordModelEvaluation;

    /// <summary>Registers a model named <paramref name="name"/> for workload <paramref name="task"/> (ml-engineer); its id.</summary>
    public async Task<Guid> RegisterModelAsync(string name, string task, CancellationToken cancellationToken = default) =>
        (await QueryAsync<RegisterModelData>(LabelingOperations.RegisterModel, new { input = new { name, task } }, cancellationToken)).RegisterModel.Id;

    /// <summary>The version of <paramref name="modelId"/> in production now, or null when none is.</summary>
    public async Task<ModelVersionInfo?> ProductionVersionAsync(Guid modelId, CancellationToken cancellationToken = default) =>
        (await ReadAsync<ProductionData>(LabelingOperations.ProductionVersion, new { model = modelId }, cancellationToken)).ProductionVersion;

    /// <summary>The candidate of <paramref name="modelId"/> running in shadow beside production now, or null when none is (or no such model).</summary>
    public async Task<ModelVersionInfo?> ShadowVersionAsync(Guid modelId, CancellationToken cancellationToken = default) =>
        (await ReadAsync<ShadowData>(LabelingOperations.ShadowVersion, new { model = modelId }, cancellationToken)).Model?.Shadow?.Version;

    /// <summary>Records how far a shadow run agreed with a production result; once per version and result (a retry answers with the first).</summary>
    public async Task<ShadowResultInfo> RecordShadowResultAsync(RecordShadowResultInput input, CancellationToken cancellationToken = default) =>
        (await QueryAsync<ShadowResultData>(LabelingOperations.RecordShadowResult, new { input }, cancellationToken)).RecordShadowResult;

    public async Task<ReceivedStudyInfo> RecordStudyReceivedAsync(RecordStudyReceivedInput input, CancellationToken cancellationToken = default) =>
        (await QueryAsync<ReceivedData>(LabelingOperations.RecordStudyReceived, new { input }, cancellationToken)).RecordStudyReceived;

    public async Task<StudyProcessingClaimInfo> ClaimStudyProcessingAsync(ClaimStudyProcessingInput input, CancellationToken cancellationToken = default) =>
        (await QueryAsync<ClaimProcessingData>(LabelingOperations.ClaimStudyProcessing, new { input }, cancellationToken)).ClaimStudyProcessing;

    /// <summary>Claims (or, held already, renews) the delivery of a result to a destination under a lease.</summary>
    public async Task<DeliveryClaimInfo> ClaimDeliveryAsync(ClaimDeliveryInput input, CancellationToken cancellationToken = default) =>
        (await QueryAsync<ClaimDeliveryData>(LabelingOperations.ClaimDelivery, new { input }, cancellationToken)).ClaimDelivery;

    /// <summary>Deliveries whose lease ran out unfinished, longest expired first.</summary>
    public async Task<IReadOnlyList<ExpiredDeliveryLeaseInfo>> ExpiredDeliveryLeasesAsync(int first, CancellationToken cancellationToken = default) =>
        (await ReadAsync<ExpiredLeasesData>(LabelingOperations.ExpiredDeliveryLeases, new { first }, cancellationToken)).ExpiredDeliveryLeases;

    /// <summary>Records (or renews) this replica's part of a study as pending; when the wait runs out unless renewed.</summary>
    public async Task<DateTimeOffset> RecordStudyPartReceivedAsync(RecordStudyPartReceivedInput input, CancellationToken cancellationToken = default) =>
        (await QueryAsync<PartReceivedData>(LabelingOperations.RecordStudyPartReceived, new { input }, cancellationToken)).RecordStudyPartReceived;

    public async Task RecordStudyPartForwardedAsync(RecordStudyPartForwardedInput input, CancellationToken cancellationToken = default) =>
        await QueryAsync<PartForwardedData>(LabelingOperations.RecordStudyPartForwarded, new { input }, cancellationToken);

    public async Task<bool> FinishStudyProcessingAsync(FinishStudyProcessingInput input, CancellationToken cancellationToken = default) =>
        (await QueryAsync<FinishProcessingData>(LabelingOperations.FinishStudyProcessing, new { input }, cancellationToken)).FinishStudyProcessing;

    public async Task<StudyForwardingInfo> RecordStudyForwardingStuckAsync(RecordStudyForwardingStuckInput input, CancellationToken cancellationToken = default) =>
        (await QueryAsync<StuckData>(LabelingOperations.RecordStudyForwardingStuck, new { input }, cancellationToken)).RecordStudyForwardingStuck;

    /// <summary>Null when the study was never stuck.</summary>
    public async Task<StudyForwardingInfo?> RecordStudyForwardingResumedAsync(string studyInstanceUid, CancellationToken cancellationToken = default) =>
        (await QueryAsync<ResumedData>(LabelingOperations.RecordStudyForwardingResumed, new { input = new { studyInstanceUid } }, cancellationToken))
            .RecordStudyForwardingResumed;

    /// <summary>Records once per <see cref="RecordInferenceResultInput.ResultId"/> (a fresh id when the input has none): sent
    /// again with the same id, labeling answers with the result it recorded the first time.</summary>
    public async Task<InferenceResultInfo> RecordInferenceResultAsync(RecordInferenceResultInput input, CancellationToken cancellationToken = default) =>
        (await QueryAsync<InferenceData>(LabelingOperations.RecordInferenceResult,
            new { input = input.ResultId is null ? input with { ResultId = Guid.CreateVersion7() } : input }, cancellationToken)).RecordInferenceResult;

    /// <summary>The id of the model named exactly <paramref name="name"/>, or null when there is none.</summary>
    public async Task<Guid?> ModelIdAsync(string name, CancellationToken cancellationToken = default) =>
        (await ReadAsync<ModelsData>(LabelingOperations.ModelsNamed, new { name }, cancellationToken)).Models.Edges
            .Select(edge => edge.Node).FirstOrDefault(model => model.Name == name)?.Id;

    /// <summary>The routing table as labeling holds it now: its version and every rule, in the order they are tried.</summary>
    public async Task<RoutingTableInfo> RoutingRulesAsync(CancellationToken cancellationToken = default) =>
        (await ReadAsync<RoutingData>(LabelingOperations.RoutingRules, null, cancellationToken)).RoutingRules;

    public async Task<InferenceResultInfo> RecordDeliveryAsync(RecordDeliveryInput input, CancellationToken cancellationToken = default) =>
        (await QueryAsync<DeliveryData>(LabelingOperations.RecordDelivery, new { input }, cancellationToken)).RecordDelivery;

    /// <summary>The result and its deliveries as labeling records them; null when labeling does not know it.</summary>
    public async Task<InferenceResultInfo?> InferenceResultAsync(Guid id, CancellationToken cancellationToken = default) =>
        (await ReadAsync<InferenceResultData>(LabelingOperations.InferenceResult, new { id }, cancellationToken)).InferenceResult;

    /// <summary>
    /// Subscribes over graphql-transport-ws. When this returns, the server has registered the subscription: every event
    /// committed from then on is delivered, in commit order.
    /// </summary>
    public async Task<LabelingSubscription<TData>> SubscribeAsync<TData>(string query, object? variables = null, CancellationToken cancellationToken = default)
    {
        var token = tokens is { Enabled: true } ? await tokens.GetAsync(renew: false, cancellationToken).ConfigureAwait(false) : null;
        return await LabelingSubscription<TData>.StartAsync(http, token, query, variables, cancellationToken).ConfigureAwait(false);
    }

    public async Task<LabelingSubscription<TrainingProgressInfo>> SubscribeTrainingProgressAsync(Guid? jobId, CancellationToken cancellationToken = default) =>
        (await SubscribeAsync<TrainingProgressData>(LabelingOperations.TrainingProgress, new { job = jobId }, cancellationToken))
            .Select(data => data.TrainingProgress);

    public async Task<LabelingSubscription<ModelPromotionInfo>> SubscribeModelPromotedAsync(Guid? modelId, CancellationToken cancellationToken = default) =>
        (await SubscribeAsync<ModelPromotedData>(LabelingOperations.ModelPromoted, new { model = modelId }, cancellationToken))
            .Select(data => data.ModelPromoted);

    private sealed record GraphQLRequest(string Query, object? Variables);

    internal sealed record GraphQLResponse<TData>(TData? Data, IReadOnlyList<GraphQLError>? Errors);

    private sealed record ClaimData(TrainingJobInfo? ClaimTrainingJob);

    private sealed record ReportData(TrainingJobInfo ReportTrainingProgress);

    private sealed record RenewData(TrainingJobInfo RenewTrainingLease);

    private sealed record CompleteData(TrainingJobInfo CompleteTrainingJob);

    private sealed record TrainingJobData(TrainingJobInfo? TrainingJob);

    private sealed record RegisterData(ModelVersionInfo RegisterModelVersion);

    private sealed record EvaluationData(ModelVersionInfo RecordModelEvaluation);

    private sealed record RegisteredModel(Guid Id);

    private sealed record RegisterModelData(RegisteredModel RegisterModel);

    private sealed record ProductionData(ModelVersionInfo? ProductionVersion);

    private sealed record ShadowData(ShadowModel? Model);

    private sealed record ShadowModel(ShadowOf? Shadow);

    private sealed record ShadowOf(ModelVersionInfo Version);

    private sealed record ShadowResultData(ShadowResultInfo RecordShadowResult);

    private sealed record ReceivedData(ReceivedStudyInfo RecordStudyReceived);

    private sealed record ClaimProcessingData(StudyProcessingClaimInfo ClaimStudyProcessing);

    private sealed record ClaimDeliveryData(DeliveryClaimInfo ClaimDelivery);

    private sealed record ExpiredLeasesData(IReadOnlyList<ExpiredDeliveryLeaseInfo> ExpiredDeliveryLeases);

    private sealed record FinishProcessingData(bool FinishStudyProcessing);

    private sealed record PartReceivedData(DateTimeOffset RecordStudyPartReceived);

    private sealed record PartForwardedData(bool RecordStudyPartForwarded);

    private sealed record StuckData(StudyForwardingInfo RecordStudyForwardingStuck);

    private sealed record ResumedData(StudyForwardingInfo? RecordStudyForwardingResumed);

    private sealed record InferenceData(InferenceResultInfo RecordInferenceResult);

    private sealed record RoutingData(RoutingTableInfo RoutingRules);

    private sealed record ModelsData(ModelConnection Models);

    private sealed record ModelConnection(IReadOnlyList<ModelEdge> Edges);

    private sealed record ModelEdge(ModelName Node);

    private sealed record ModelName(Guid Id, string Name);

    private sealed record DeliveryData(InferenceResultInfo RecordDelivery);

    private sealed record InferenceResultData(InferenceResultInfo? InferenceResult);

    private sealed record TrainingProgressData(TrainingProgressInfo TrainingProgress);

    private sealed record ModelPromotedData(ModelPromotionInfo ModelPromoted);
}

public sealed record GraphQLError(string Message, IReadOnlyDictionary<string, JsonElement>? Extensions)
{
    /// <summary>The stable error code labeling puts in <c>extensions.code</c>.</summary>
    [JsonIgnore]
    public string? Code => Extensions is not null && Extensions.TryGetValue("code", out var code) ? code.GetString() : null;
}

public sealed class LabelingApiException(IReadOnlyList<GraphQLError> errors)
    : Exception(string.Join("; ", errors.Select(error => error.Code is null ? error.Message : $"{error.Code}: {error.Message}")))
{
    public IReadOnlyList<GraphQLError> Errors { get; } = errors;
}
