using Cl2.ServiceDefaults.Audit;
using Marten;

namespace Cl2.Labeling.Audit;

/// <summary>
/// Labeling keeps the audit (it is the system of record): a Marten document per record, each batch from the
/// <see cref="AuditTrail"/> stored in one transaction. Stored by id, so a batch retried after a commit whose answer was
/// lost stores nothing twice.
/// </summary>
public sealed class AuditStore(IDocumentStore store) : IAuditSink
{
    public static void Configure(StoreOptions options) => options.Schema.For<AuditRecord>()
        .Index(record => record.UserId)
        .Index(record => record.At)
        // "who accessed study X": containment in the StudyInstanceUids array
        .GinIndexJsonData();

    public async Task WriteAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        session.Store(records.ToArray());
        await session.SaveChangesAsync(cancellationToken);
    }
}
