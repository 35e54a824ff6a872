using System.Text;
using Cl2.Dicom;
using Npgsql;
using NpgsqlTypes;

namespace Cl2.Labeling.Archive;

/// <summary>
/// Turns a <see cref="QidoSearch"/> into SQL over the index table, with the matching of PS3.4 §C.2.2.2: single value,
/// UID list ("\" or "," separated), wildcards * and ? (PatientName case-insensitively), and date ranges (a-b, a-, -b).
/// </summary>
internal static class QidoSql
{
    private enum Matching
    {
        Uid,
        Text,
        Name,
        Date,
        Number,
        ModalitiesInStudy,
    }

    private sealed record Key(string Column, Matching Matching, QidoLevel Level);

    private static readonly Dictionary<string, Key> Keys = new(StringComparer.Ordinal)
    {
        ["StudyInstanceUID"] = new("study_instance_uid", Matching.Uid, QidoLevel.Study),
        ["PatientID"] = new("patient_id", Matching.Text, QidoLevel.Study),
        ["PatientName"] = new("patient_name", Matching.Name, QidoLevel.Study),
        ["StudyDate"] = new("study_date", Matching.Date, QidoLevel.Study),
        ["AccessionNumber"] = new("accession_number", Matching.Text, QidoLevel.Study),
        ["StudyDescription"] = new("study_description", Matching.Text, QidoLevel.Study),
        ["ModalitiesInStudy"] = new("modality", Matching.ModalitiesInStudy, QidoLevel.Study),
        ["SeriesInstanceUID"] = new("series_instance_uid", Matching.Uid, QidoLevel.Series),
        ["Modality"] = new("modality", Matching.Text, QidoLevel.Series),
        ["SeriesNumber"] = new("series_number", Matching.Number, QidoLevel.Series),
        ["SeriesDescription"] = new("series_description", Matching.Text, QidoLevel.Series),
        ["SOPInstanceUID"] = new("sop_instance_uid", Matching.Uid, QidoLevel.Instance),
        ["SOPClassUID"] = new("sop_class_uid", Matching.Uid, QidoLevel.Instance),
        ["InstanceNumber"] = new("instance_number", Matching.Number, QidoLevel.Instance),
    };

    public static bool Supports(QidoLevel level, string keyword) => Keys.TryGetValue(keyword, out var key) && key.Level <= level;

    /// <summary>Whether the key takes UID list matching (PS3.4 §C.2.2.2.2), so each of its values must be a UID.</summary>
    public static bool IsUidKey(string keyword) => Keys.TryGetValue(keyword, out var key) && key.Matching == Matching.Uid;

    /// <summary>The UIDs of a list-matching value ("\" or "," separated).</summary>
    public static string[] UidList(string value) => value.Split(['\\', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static IEnumerable<string> KeysAt(QidoLevel level) => Keys.Where(pair => pair.Value.Level <= level).Select(pair => pair.Key);

    public static string Build(QidoSearch search, string table, NpgsqlParameterCollection parameters)
    {
        var where = new List<string>();
        foreach (var (keyword, value) in search.Match)
        {
            var key = Keys[keyword];
            var name = $"p{parameters.Count}";
            switch (key.Matching)
            {
                case Matching.Uid:
                    where.Add($"{key.Column} = any(@{name})");
                    parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = UidList(value) });
                    break;
                case Matching.Number:
                    where.Add($"{key.Column} = @{name}");
                    parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Integer)
                    {
                        Value = int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var number)
                            ? number
                            : throw new QidoSearchException($"{keyword} must be a whole number, got '{value}'"),
                    });
                    break;
                case Matching.Date when value.Contains('-', StringComparison.Ordinal):
                    var range = value.Split('-', 2);
                    if (range[0].Length > 0)
                    {
                        where.Add($"{key.Column} >= @{name}a");
                        parameters.AddWithValue(name + "a", range[0]);
                    }
                    if (range[1].Length > 0)
                    {
                        where.Add($"{key.Column} <= @{name}b");
                        parameters.AddWithValue(name + "b", range[1]);
                    }
                    break;
                case Matching.ModalitiesInStudy:
                    where.Add($"study_instance_uid in (select study_instance_uid from {table} where modality = any(@{name}))");
                    parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = value.Split(['\\', ',']) });
                    break;
                default:
                    var wildcard = value.Contains('*', StringComparison.Ordinal) || value.Contains('?', StringComparison.Ordinal);
                    var comparison = key.Matching == Matching.Name ? "ilike" : wildcard ? "like" : "=";
                    where.Add($"{key.Column} {comparison} @{name}");
                    parameters.AddWithValue(name, wildcard || key.Matching == Matching.Name ? LikePattern(value) : value);
                    break;
            }
        }
        var filter = where.Count == 0 ? "" : "where " + string.Join(" and ", where);
        parameters.AddWithValue("limit", search.Limit);
        parameters.AddWithValue("offset", search.Offset);
        return search.Level switch
        {
            QidoLevel.Study => $"""
                select study_instance_uid, max(patient_id) patient_id, max(patient_name) patient_name, max(study_date) study_date,
                    max(study_time) study_time, max(accession_number) accession_number, max(study_description) study_description,
                    string_agg(distinct modality, '\') modalities, count(distinct series_instance_uid) series_count, count(*) instance_count
                from {table} {filter}
                group by study_instance_uid order by study_instance_uid limit @limit offset @offset
                """,
            QidoLevel.Series => $"""
                select study_instance_uid, series_instance_uid, max(patient_id) patient_id, max(patient_name) patient_name,
                    max(study_date) study_date, max(study_time) study_time, max(accession_number) accession_number,
                    max(study_description) study_description, max(modality) modality, max(series_number) series_number,
                    max(series_description) series_description, count(*) instance_count
                from {table} {filter}
                group by study_instance_uid, series_instance_uid order by study_instance_uid, series_instance_uid limit @limit offset @offset
                """,
            _ => $"""
                select * from {table} {filter}
                order by study_instance_uid, series_instance_uid, instance_number nulls last, sop_instance_uid limit @limit offset @offset
                """,
        };
    }

    public static DicomDataset Read(NpgsqlDataReader reader, QidoLevel level)
    {
        var dataset = new DicomDataset();
        dataset.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 192");
        void Text(DicomTag tag, string column)
        {
            if (reader[column] is string value)
            {
                dataset.SetString(tag, value);
            }
        }
        void Number(DicomTag tag, string column)
        {
            if (reader[column] is int or long)
            {
                dataset.SetValues(tag, Convert.ToInt64(reader[column], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        Text(DicomTags.StudyInstanceUID, "study_instance_uid");
        Text(DicomTags.PatientID, "patient_id");
        Text(DicomTags.PatientName, "patient_name");
        Text(DicomTags.StudyDate, "study_date");
        Text(DicomTags.StudyTime, "study_time");
        Text(DicomTags.AccessionNumber, "accession_number");
        Text(DicomTags.StudyDescription, "study_description");
        if (level != QidoLevel.Study)
        {
            Text(DicomTags.SeriesInstanceUID, "series_instance_uid");
            Text(DicomTags.Modality, "modality");
            Number(DicomTags.SeriesNumber, "series_number");
            Text(DicomTags.SeriesDescription, "series_description");
        }
        switch (level)
        {
            case QidoLevel.Study:
                Text(DicomTags.ModalitiesInStudy, "modalities");
                Number(DicomTags.NumberOfStudyRelatedSeries, "series_count");
                Number(DicomTags.NumberOfStudyRelatedInstances, "instance_count");
                break;
            case QidoLevel.Series:
                Number(DicomTags.NumberOfSeriesRelatedInstances, "instance_count");
                break;
            default:
                Text(DicomTags.SOPClassUID, "sop_class_uid");
                Text(DicomTags.SOPInstanceUID, "sop_instance_uid");
                Number(DicomTags.InstanceNumber, "instance_number");
                Number(DicomTags.Rows, "rows");
                Number(DicomTags.Columns, "columns");
                Number(DicomTags.NumberOfFrames, "number_of_frames");
                break;
        }
        return dataset;
    }

    /// <summary>DICOM wildcards to a LIKE pattern; LIKE's own special characters are escaped.</summary>
    private static string LikePattern(string value)
    {
        var pattern = new StringBuilder();
        foreach (var c in value)
        {
            pattern.Append(c switch
            {
                '*' => "%",
                '?' => "_",
                '%' or '_' or '\\' => "\\" + c,
                _ => c.ToString(),
            });
        }
        return pattern.ToString();
    }
}
