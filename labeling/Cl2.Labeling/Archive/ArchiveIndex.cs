using Cl2.Labeling.Database;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Cl2.Labeling.Archive;

/// <summary>
/// The archive's index table in the labeling schema. Like Marten's tables it is created on first use, so labeling starts
/// while PostgreSQL is down. Rows are written in one transaction per STOW-RS request.
/// </summary>
public sealed class ArchiveIndex(NpgsqlDataSource dataSource, IOptions<PostgresOptions> postgres)
{
    private readonly SemaphoreSlim _creating = new(1, 1);
    private volatile bool _created;

    public string Table => $"{postgres.Value.Schema}.archive_instances";

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (_created)
        {
            return;
        }
        await _creating.WaitAsync(cancellationToken);
        try
        {
            if (_created)
            {
                return;
            }
            // Replicas creating the table at once would collide ("create ... if not exists" is not safe in parallel).
            await using var turn = await SchemaChangeLock.AcquireAsync(dataSource, postgres.Value.Schema, cancellationToken);
            await using var command = dataSource.CreateCommand($"""
                create schema if not exists {postgres.Value.Schema};
                create table if not exists {Table} (
                    sop_instance_uid text primary key,
                    sop_class_uid text not null,
                    study_instance_uid text not null,
                    series_instance_uid text not null,
                    patient_id text, patient_name text, study_date text, study_time text, accession_number text, study_description text,
                    modality text, series_number integer, series_description text, instance_number integer,
                    rows integer, columns integer, number_of_frames integer,
                    transfer_syntax_uid text not null,
                    blob_digest text not null,
                    length bigint not null,
                    stored_at timestamptz not null default now());
                create index if not exists archive_instances_series on {Table} (study_instance_uid, series_instance_uid);
                create index if not exists archive_instances_patient on {Table} (patient_id);
                alter table {Table} add column if not exists metadata bytea, add column if not exists metadata_url_offsets integer[],
                    add column if not exists metadata_inline_limit integer, add column if not exists frame_ranges bigint[];
                """);
            await command.ExecuteNonQueryAsync(cancellationToken);
            _created = true;
        }
        finally
        {
            _creating.Release();
        }
    }

    /// <summary>
    /// Adds the rows, or points an existing SOP Instance UID at its newest bytes (the last one stored wins). Rows are
    /// written in SOP Instance UID order, so requests storing the same instances at once lock their rows in one order
    /// and wait for each other instead of deadlocking; a UID repeated within the request keeps its last copy (stable sort).
    /// </summary>
    public Task UpsertAsync(IReadOnlyList<ArchivedInstance> instances, CancellationToken cancellationToken) =>
        UpsertAsync(instances.Select(instance => (instance, (InstanceLayout?)null)).ToArray(), cancellationToken);

    /// <summary>
    /// As above, with each instance's layout (<see cref="InstanceLayout"/>); an instance stored without one has none recorded
    /// (a copy stored again drops its old copy's layout) and gets it on first read.
    /// </summary>
    public async Task UpsertAsync(IReadOnlyList<(ArchivedInstance Instance, InstanceLayout? Layout)> instances, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var (instance, layout) in instances.OrderBy(pair => pair.Instance.SopInstanceUid, StringComparer.Ordinal))
        {
            await using var command = new NpgsqlCommand($"""
                insert into {Table} (sop_instance_uid, sop_class_uid, study_instance_uid, series_instance_uid, patient_id, patient_name,
                    study_date, study_time, accession_number, study_description, modality, series_number, series_description,
                    instance_number, rows, columns, number_of_frames, transfer_syntax_uid, blob_digest, length,
                    metadata, metadata_url_offsets, metadata_inline_limit, frame_ranges)
                values (@sop, @class, @study, @series, @patient_id, @patient_name, @study_date, @study_time, @accession, @study_description,
                    @modality, @series_number, @series_description, @instance_number, @rows, @columns, @frames, @syntax, @digest, @length,
                    @metadata, @metadata_url_offsets, @metadata_inline_limit, @frame_ranges)
                on conflict (sop_instance_uid) do update set
                    sop_class_uid = excluded.sop_class_uid, study_instance_uid = excluded.study_instance_uid,
                    series_instance_uid = excluded.series_instance_uid, patient_id = excluded.patient_id, patient_name = excluded.patient_name,
                    study_date = excluded.study_date, study_time = excluded.study_time, accession_number = excluded.accession_number,
                    study_description = excluded.study_description, modality = excluded.modality, series_number = excluded.series_number,
                    series_description = excluded.series_description, instance_number = excluded.instance_number, rows = excluded.rows,
                    columns = excluded.columns, number_of_frames = excluded.number_of_frames, transfer_syntax_uid = excluded.transfer_syntax_uid,
                    blob_digest = excluded.blob_digest, length = excluded.length, stored_at = now(), metadata = excluded.metadata,
                    metadata_url_offsets = excluded.metadata_url_offsets, metadata_inline_limit = excluded.metadata_inline_limit,
                    frame_ranges = excluded.frame_ranges
                """, connection, transaction);
            var p = command.Parameters;
            p.AddWithValue("sop", instance.SopInstanceUid);
            p.AddWithValue("class", instance.SopClassUid);
            p.AddWithValue("study", instance.StudyInstanceUid);
            p.AddWithValue("series", instance.SeriesInstanceUid);
            Nullable(p, "patient_id", NpgsqlDbType.Text, instance.PatientId);
            Nullable(p, "patient_name", NpgsqlDbType.Text, instance.PatientName);
            Nullable(p, "study_date", NpgsqlDbType.Text, instance.StudyDate);
            Nullable(p, "study_time", NpgsqlDbType.Text, instance.StudyTime);
            Nullable(p, "accession", NpgsqlDbType.Text, instance.AccessionNumber);
            Nullable(p, "study_description", NpgsqlDbType.Text, instance.StudyDescription);
            Nullable(p, "modality", NpgsqlDbType.Text, instance.Modality);
            Nullable(p, "series_number", NpgsqlDbType.Integer, instance.SeriesNumber);
            Nullable(p, "series_description", NpgsqlDbType.Text, instance.SeriesDescription);
            Nullable(p, "instance_number", NpgsqlDbType.Integer, instance.InstanceNumber);
            Nullable(p, "rows", NpgsqlDbType.Integer, instance.Rows);
            Nullable(p, "columns", NpgsqlDbType.Integer, instance.Columns);
            Nullable(p, "frames", NpgsqlDbType.Integer, instance.NumberOfFrames);
            p.AddWithValue("syntax", instance.TransferSyntaxUid);
            p.AddWithValue("digest", instance.BlobDigest);
            p.AddWithValue("length", instance.Length);
            AddLayout(p, layout);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private static void Nullable(NpgsqlParameterCollection parameters, string name, NpgsqlDbType type, object? value) =>
        parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });

    private static void AddLayout(NpgsqlParameterCollection parameters, InstanceLayout? layout)
    {
        Nullable(parameters, "metadata", NpgsqlDbType.Bytea, layout?.Metadata.Json);
        Nullable(parameters, "metadata_url_offsets", NpgsqlDbType.Array | NpgsqlDbType.Integer, layout?.Metadata.UrlOffsets);
        Nullable(parameters, "metadata_inline_limit", NpgsqlDbType.Integer, layout?.Metadata.MaxInlineBinaryBytes);
        Nullable(parameters, "frame_ranges", NpgsqlDbType.Array | NpgsqlDbType.Bigint, layout?.Frames?.Values);
    }

    /// <summary>
    /// Records the layout of an instance stored without one (before the archive recorded layouts, or through a path that
    /// does not), unless the row has been pointed at other bytes since: the layout belongs to <paramref name="instance"/>'s blob.
    /// </summary>
    public async Task RecordLayoutAsync(ArchivedInstance instance, InstanceLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instance);
        await EnsureCreatedAsync(cancellationToken);
        await using var command = dataSource.CreateCommand($"""
            update {Table} set metadata = @metadata, metadata_url_offsets = @metadata_url_offsets, metadata_inline_limit = @metadata_inline_limit,
                frame_ranges = @frame_ranges
            where sop_instance_uid = @sop and blob_digest = @digest
            """);
        command.Parameters.AddWithValue("sop", instance.SopInstanceUid);
        command.Parameters.AddWithValue("digest", instance.BlobDigest);
        AddLayout(command.Parameters, layout);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The columns of <see cref="ArchivedInstance"/>, whether a layout is recorded, and the frame ranges (not the metadata).</summary>
    private const string RowColumns = """
        sop_instance_uid, sop_class_uid, study_instance_uid, series_instance_uid, patient_id, patient_name, study_date, study_time,
        accession_number, study_description, modality, series_number, series_description, instance_number, rows, columns, number_of_frames,
        transfer_syntax_uid, blob_digest, length, metadata is not null as has_layout, frame_ranges
        """;

    /// <summary>The instances of a study, series or one instance (what WADO-RS retrieves), in series and instance order.</summary>
    public async Task<IReadOnlyList<ArchivedInstance>> FindAsync(string studyInstanceUid, string? seriesInstanceUid, string? sopInstanceUid,
        CancellationToken cancellationToken)
    {
        var found = await FindRowsAsync(studyInstanceUid, seriesInstanceUid, sopInstanceUid, withMetadata: false, cancellationToken);
        return found.Select(row => row.Instance).ToArray();
    }

    /// <summary>
    /// As <see cref="FindAsync"/>, each instance with its recorded metadata: null for one stored before the archive recorded
    /// it, or recorded with another <see cref="ArchiveOptions.MaxInlineBinaryBytes"/> than <paramref name="maxInlineBinaryBytes"/>.
    /// </summary>
    public async Task<IReadOnlyList<(ArchivedInstance Instance, InstanceMetadata? Metadata)>> FindMetadataAsync(string studyInstanceUid,
        string? seriesInstanceUid, string? sopInstanceUid, int maxInlineBinaryBytes, CancellationToken cancellationToken) =>
        (await FindRowsAsync(studyInstanceUid, seriesInstanceUid, sopInstanceUid, withMetadata: true, cancellationToken))
            .Select(row => (row.Instance, row.Metadata?.MaxInlineBinaryBytes == maxInlineBinaryBytes ? row.Metadata : null))
            .ToArray();

    private async Task<List<(ArchivedInstance Instance, InstanceMetadata? Metadata)>> FindRowsAsync(string studyInstanceUid, string? seriesInstanceUid,
        string? sopInstanceUid, bool withMetadata, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        await using var command = dataSource.CreateCommand($"""
            select {RowColumns}{(withMetadata ? ", metadata, metadata_url_offsets, metadata_inline_limit" : "")} from {Table}
            where study_instance_uid = @study and (@series::text is null or series_instance_uid = @series)
                and (@sop::text is null or sop_instance_uid = @sop)
            order by series_number nulls last, series_instance_uid, instance_number nulls last, sop_instance_uid
            """);
        command.Parameters.AddWithValue("study", studyInstanceUid);
        Nullable(command.Parameters, "series", NpgsqlDbType.Text, seriesInstanceUid);
        Nullable(command.Parameters, "sop", NpgsqlDbType.Text, sopInstanceUid);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var instances = new List<(ArchivedInstance, InstanceMetadata?)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            string? Text(string column) => reader[column] as string;
            int? Number(string column) => reader[column] is int value ? value : null;
            var instance = new ArchivedInstance(
                (string)reader["sop_instance_uid"], (string)reader["sop_class_uid"], (string)reader["study_instance_uid"],
                (string)reader["series_instance_uid"], Text("patient_id"), Text("patient_name"), Text("study_date"), Text("study_time"),
                Text("accession_number"), Text("study_description"), Text("modality"), Number("series_number"), Text("series_description"),
                Number("instance_number"), Number("rows"), Number("columns"), Number("number_of_frames"), (string)reader["transfer_syntax_uid"],
                (string)reader["blob_digest"], (long)reader["length"])
            {
                HasLayout = (bool)reader["has_layout"],
                Frames = reader["frame_ranges"] is long[] ranges ? new FrameRanges(ranges) : null,
            };
            var metadata = withMetadata && reader["metadata"] is byte[] json
                ? new InstanceMetadata(json, (int[])reader["metadata_url_offsets"], (int)reader["metadata_inline_limit"])
                : null;
            instances.Add((instance, metadata));
        }
        return instances;
    }

    /// <summary>Those of <paramref name="studyInstanceUids"/> that the archive holds at least one instance of, in one query.</summary>
    public async Task<IReadOnlySet<string>> HeldStudiesAsync(IReadOnlyCollection<string> studyInstanceUids, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        await using var command = dataSource.CreateCommand($"select distinct study_instance_uid from {Table} where study_instance_uid = any(@studies)");
        command.Parameters.AddWithValue("studies", studyInstanceUids.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var held = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            held.Add(reader.GetString(0));
        }
        return held;
    }

    /// <summary>
    /// How many instances of the study the archive holds and how long ago the last of them was stored, measured by
    /// PostgreSQL's clock alone (so replicas' clocks do not matter); zero instances and no time when it holds none.
    /// </summary>
    public async Task<StudyInArchive> StudyAsync(string studyInstanceUid, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        await using var command = dataSource.CreateCommand(
            $"select count(*)::int, extract(epoch from now() - max(stored_at))::float8 from {Table} where study_instance_uid = @study");
        command.Parameters.AddWithValue("study", studyInstanceUid);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new StudyInArchive(reader.GetInt32(0), reader.IsDBNull(1) ? null : TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(1))));
    }

    /// <summary>The QIDO-RS matches at the search's level, as DICOM datasets of the attributes the index holds.</summary>
    public async Task<IReadOnlyList<Cl2.Dicom.DicomDataset>> SearchAsync(QidoSearch search, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        await using var command = dataSource.CreateCommand();
        command.CommandText = QidoSql.Build(search, Table, command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<Cl2.Dicom.DicomDataset>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(QidoSql.Read(reader, search.Level));
        }
        return rows;
    }
}

/// <summary>A study as the archive holds it: its instances, and how long no instance of it has been stored (null: none held).</summary>
public sealed record StudyInArchive(int InstanceCount, TimeSpan? QuietFor);
