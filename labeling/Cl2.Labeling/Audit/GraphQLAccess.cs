using Cl2.Labeling.GraphQL;
using Cl2.ServiceDefaults.Audit;
using GraphQL;
using GraphQL.DI;
using GraphQL.Execution;
using GraphQLParser.AST;

namespace Cl2.Labeling.Audit;

/// <summary>
/// Records GraphQL operations, over HTTP and WebSocket alike (it wraps every execution): every mutation and subscription,
/// every operation refused (UNAUTHENTICATED, FORBIDDEN), and every query whose answer disclosed a study or a patient (a
/// <c>studyInstanceUid</c>, <c>archivedStudyInstanceUid</c>, <c>studyInstanceUids</c> or <c>patientId</c> field in the
/// result). The record names those studies and patients, and the ids the variables named (a case, a model version).
/// An admin's queries of the audit itself are not recorded again (refused ones are). What a subscription pushes later is
/// recorded by <see cref="PushedEventsAudit"/>.
/// </summary>
public sealed class GraphQLAccess(AuditTrail trail, PushedEventsAudit pushed, IHttpContextAccessor http) : IConfigureExecution
{
    private const int MostObjects = 100;
    private static readonly HashSet<string> StudyFields = ["studyInstanceUid", "archivedStudyInstanceUid", "studyInstanceUids"];
    private const string PatientField = "patientId";

    public float SortOrder => 0;

    public async Task<ExecutionResult> ExecuteAsync(ExecutionOptions options, ExecutionDelegate next)
    {
        var result = await next(options);
        if (trail.Enabled && Record(options, result) is { } record)
        {
            await trail.RecordAsync(record);
        }
        if (trail.Enabled && result.Streams is { Count: > 0 } streams)
        {
            var subscriber = Requestor.Of(options.User, http.HttpContext?.Connection.RemoteIpAddress?.ToString(), "labeling");
            result.Streams = streams.ToDictionary(stream => stream.Key, stream => pushed.Watch(stream.Value, subscriber, stream.Key));
        }
        return result;
    }

    private AuditRecord? Record(ExecutionOptions options, ExecutionResult result)
    {
        if ((result.Operation ?? Selected(result.Document ?? options.Document, options.OperationName)) is not { } operation)
        {
            return null; // not a document (a parse error): nothing was asked of any data
        }
        var roots = operation.SelectionSet.Selections.OfType<GraphQLField>().Select(field => field.Name.StringValue).ToList();
        var codes = result.Errors?.Select(error => error.Code).OfType<string>().Distinct().ToList() ?? [];
        var refused = codes.Contains(ErrorCodes.Unauthenticated) || codes.Contains(ErrorCodes.Forbidden);
        if (!refused && roots.Count > 0 && roots.All(root => root == AccessAuditQueries.FieldName))
        {
            return null; // an admin reading the audit; someone else trying to is recorded
        }
        var objects = new List<AuditObject>();
        if (result.Data is ExecutionNode data)
        {
            Disclosed(data, objects);
        }
        Named(options.Variables, objects);
        if (operation.Operation == OperationType.Query && !refused && !objects.Any(o => o.Type == 1 || o.IdType == AuditObjects.StudyInstanceUid))
        {
            return null; // a read of no patient data (models, routing rules, …)
        }
        objects = [.. objects.DistinctBy(o => (o.IdType.Code, o.Id)).Take(MostObjects)];
        var type = operation.Operation.ToString().ToLowerInvariant();
        return Requestor.Of(options.User, http.HttpContext?.Connection.RemoteIpAddress?.ToString(), "labeling") with
        {
            EventId = operation.Operation == OperationType.Query ? AuditEvents.Query : AuditEvents.PatientRecord,
            Action = operation.Operation == OperationType.Query ? AuditActions.Execute : Action(roots),
            Outcome = codes.Count == 0 ? AuditOutcomes.Success
                : codes.Contains(DomainErrors.Internal) ? AuditOutcomes.SeriousFailure : AuditOutcomes.MinorFailure,
            OutcomeDescription = codes.Count == 0 ? "" : string.Join(", ", codes),
            Operation = $"{type} {string.Join(", ", roots)}",
            Objects = objects,
            StudyInstanceUids = [.. objects.Where(o => o.IdType == AuditObjects.StudyInstanceUid).Select(o => o.Id)],
        };
    }

    /// <summary>The operation a request named (or its only one): what validation refused has no executed operation.</summary>
    private static GraphQLOperationDefinition? Selected(GraphQLDocument? document, string? name)
    {
        var operations = document?.Definitions.OfType<GraphQLOperationDefinition>().ToList() ?? [];
        return name is null ? (operations.Count == 1 ? operations[0] : null) : operations.FirstOrDefault(o => o.Name?.StringValue == name);
    }

    /// <summary>The mutation's kind from its first root field's verb.</summary>
    private static string Action(IReadOnlyList<string> roots) => roots.FirstOrDefault() switch
    {
        { } root when root.StartsWith("delete", StringComparison.Ordinal) || root.StartsWith("remove", StringComparison.Ordinal)
            || root.StartsWith("retire", StringComparison.Ordinal) => AuditActions.Delete,
        { } root when root.StartsWith("create", StringComparison.Ordinal) || root.StartsWith("register", StringComparison.Ordinal)
            || root.StartsWith("submit", StringComparison.Ordinal) || root.StartsWith("add", StringComparison.Ordinal)
            || root.StartsWith("import", StringComparison.Ordinal) || root.StartsWith("record", StringComparison.Ordinal) => AuditActions.Create,
        _ => AuditActions.Update,
    };

    /// <summary>Studies and patients the answer disclosed.</summary>
    internal static void Disclosed(ExecutionNode node, List<AuditObject> objects)
    {
        if (objects.Count >= MostObjects)
        {
            return;
        }
        switch (node)
        {
            case ObjectExecutionNode { SubFields: { } fields }:
                foreach (var field in fields)
                {
                    Disclosed(field, objects);
                }
                break;
            case ArrayExecutionNode { Items: { } items } when node.FieldDefinition?.Name is { } name && StudyFields.Contains(name):
                objects.AddRange(items.Select(item => item.Result).OfType<string>().Select(AuditObjects.Study));
                break;
            case ArrayExecutionNode { Items: { } items }:
                foreach (var item in items)
                {
                    Disclosed(item, objects);
                }
                break;
            case ValueExecutionNode { Result: string value } when node.FieldDefinition?.Name is { } name:
                if (StudyFields.Contains(name))
                {
                    objects.Add(AuditObjects.Study(value));
                }
                else if (name == PatientField && value.Length > 0)
                {
                    objects.Add(AuditObjects.Patient(value));
                }
                break;
        }
    }

    /// <summary>Ids the variables named: <c>caseId</c>, <c>versionId</c>, <c>id</c>, … and studies by UID.</summary>
    private static void Named(IReadOnlyDictionary<string, object?>? values, List<AuditObject> objects)
    {
        foreach (var (name, value) in values ?? new Dictionary<string, object?>())
        {
            if (objects.Count >= MostObjects)
            {
                return;
            }
            switch (value)
            {
                case string text when StudyFields.Contains(name) || name == "study":
                    objects.Add(AuditObjects.Study(text));
                    break;
                case string text when name == "id" || name.EndsWith("Id", StringComparison.Ordinal):
                    objects.Add(AuditObjects.Record(name, text));
                    break;
                case IReadOnlyDictionary<string, object?> nested:
                    Named(nested, objects);
                    break;
                case IEnumerable<object?> list when value is not string:
                    foreach (var item in list.Take(MostObjects))
                    {
                        if (item is IReadOnlyDictionary<string, object?> element)
                        {
                            Named(element, objects);
                        }
                        else if (item is string text && StudyFields.Contains(name))
                        {
                            objects.Add(AuditObjects.Study(text));
                        }
                    }
                    break;
            }
        }
    }
}
