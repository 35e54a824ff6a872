namespace Cl2.Labeling.Client;

/// <summary>
/// The GraphQL operations training and inference send, as text. Each selects exactly what its result record reads,
/// so a breaking change of labeling's schema shows up in the client test against the real host.
/// </summary>
public static class LabelingOperations
{
    private const string TrainingJobFields =
        "id modelId baseVersionId datasetId status attempt worker device leaseExpiresAt lastCheckpointDigest versionId failureReason " +
        "recipe { epochs learningRate batchSize spacingMm patchSize precision } cancellationRequestedAt";

    private const string ModelVersionFields = "id modelId number stage artifactDigest metrics { name value }";

    private const string InferenceResultFields =
        "id studyInstanceUid modelId versionId pipeline resultUids deliveries { destination status attempts lastError }";

    public const string ClaimTrainingJob =
        $"mutation ClaimTrainingJob($input: ClaimTrainingJobInput!) {{ claimTrainingJob(input: $input) {{ {TrainingJobFields} }} }}";

    public const string ReportTrainingProgress =
        $"mutation ReportTrainingProgress($input: ReportTrainingProgressInput!) {{ reportTrainingProgress(input: $input) {{ {TrainingJobFields} }} }}";

    public const string RenewTrainingLease =
        $"mutation RenewTrainingLease($input: RenewTrainingLeaseInput!) {{ renewTrainingLease(input: $input) {{ {TrainingJobFields} }} }}";

    public const string CompleteTrainingJob =
        $"mutation CompleteTrainingJob($input: CompleteTrainingJobInput!) {{ completeTrainingJob(input: $input) {{ {TrainingJobFields} }} }}";

    public const string TrainingJob = $"query TrainingJob($id: ID!) {{ trainingJob(id: $id) {{ {TrainingJobFields} }} }}";

    public const string RegisterModelVersion =
        $"mutation RegisterModelVersion($input: RegisterModelVersionInput!) {{ registerModelVersion(input: $input) {{ {ModelVersionFields} }} }}";

    public const string RecordModelEvaluation =
        $"mutation RecordModelEvaluation($input: RecordModelEvaluationInput!) {{ recordModelEvaluation(input: $input) {{ {ModelVersionFields} }} }}";

    public const string RegisterModel = "mutation RegisterModel($input: RegisterModelInput!) { registerModel(input: $input) { id } }";

    public const string ProductionVersion = $"query ProductionVersion($model: ID!) {{ productionVersion(model: $model) {{ {ModelVersionFields} }} }}";

    public const string RecordStudyReceived =
        "mutation RecordStudyReceived($input: RecordStudyReceivedInput!) { recordStudyReceived(input: $input) { id studyInstanceUid callingAeTitle instanceCount receivedAt } }";

    public const string ClaimStudyProcessing =
        "mutation ClaimStudyProcessing($input: ClaimStudyProcessingInput!) { claimStudyProcessing(input: $input) { granted state instanceCount replica leaseExpiresAt retryAt } }";

    public const string ClaimDelivery =
        "mutation ClaimDelivery($input: ClaimDeliveryInput!) { claimDelivery(input: $input) { granted state replica leaseExpiresAt } }";

    public const string ExpiredDeliveryLeases =
        "query ExpiredDeliveryLeases($first: Int) { expiredDeliveryLeases(first: $first) { inferenceResultId destination studyInstanceUid replica leaseExpiresAt callingAeTitle calledAeTitle objects { digest sopInstanceUid } } }";

    public const string RecordStudyPartReceived =
        "mutation RecordStudyPartReceived($input: RecordStudyPartReceivedInput!) { recordStudyPartReceived(input: $input) }";

    public const string RecordStudyPartForwarded =
        "mutation RecordStudyPartForwarded($input: RecordStudyPartForwardedInput!) { recordStudyPartForwarded(input: $input) }";

    public const string FinishStudyProcessing =
        "mutation FinishStudyProcessing($input: FinishStudyProcessingInput!) { finishStudyProcessing(input: $input) }";

    private const string StudyForwardingFields = "studyInstanceUid callingAeTitle isStuck attempts reason stuckAt resumedAt";

    public const string RecordStudyForwardingStuck =
        $"mutation RecordStudyForwardingStuck($input: RecordStudyForwardingStuckInput!) {{ recordStudyForwardingStuck(input: $input) {{ {StudyForwardingFields} }} }}";

    public const string RecordStudyForwardingResumed =
        $"mutation RecordStudyForwardingResumed($input: RecordStudyForwardingResumedInput!) {{ recordStudyForwardingResumed(input: $input) {{ {StudyForwardingFields} }} }}";

    public const string RecordInferenceResult =
        $"mutation RecordInferenceResult($input: RecordInferenceResultInput!) {{ recordInferenceResult(input: $input) {{ {InferenceResultFields} }} }}";

    public const string RecordDelivery =
        $"mutation RecordDelivery($input: RecordDeliveryInput!) {{ recordDelivery(input: $input) {{ {InferenceResultFields} }} }}";

    public const string RoutingRules =
        "query RoutingRules { routingRules { version rules { id name priority workload modelName callingAeTitle calledAeTitle modality bodyPart " +
        "sopClassUid seriesDescription minInstances maxInstances ruleVersion } } }";

    public const string ShadowVersion = $"query ShadowVersion($model: ID!) {{ model(id: $model) {{ shadow {{ version {{ {ModelVersionFields} }} }} }} }}";

    public const string RecordShadowResult =
        "mutation RecordShadowResult($input: RecordShadowResultInput!) { recordShadowResult(input: $input) { id studyInstanceUid versionId productionVersionId agreement } }";

    public const string ModelsNamed = "query ModelsNamed($name: String) { models(nameContains: $name, first: 100) { edges { node { id name } } } }";

    public const string InferenceResult = $"query InferenceResult($id: ID!) {{ inferenceResult(id: $id) {{ {InferenceResultFields} }} }}";

    public const string TrainingProgress =
        "subscription TrainingProgress($job: ID) { trainingProgress(job: $job) { jobId attempt epoch loss checkpointDigest reportedAt metrics { name value } } }";

    public const string ModelPromoted =
        "subscription ModelPromoted($model: ID) { modelPromoted(model: $model) { modelId versionId replacedVersionId change by at } }";
}
