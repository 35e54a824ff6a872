using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cl2.Models.Synthetic;

/// <summary>
/// <c>cohort.json</c> at the root of a synthetic cohort: what was generated, and where each case's series and ground
/// truth are (paths relative to the cohort folder). docs/training.md describes the layout.
/// </summary>
public sealed record CohortManifest(string Format, string Task, int Seed, int Size, IReadOnlyList<CohortCase> Cases)
{
    public const string FileName = "cohort.json";
    public const string CurrentFormat = "cl2-synthetic-cohort/1";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static CohortManifest Read(string cohortDirectory)
    {
        var path = Path.Combine(cohortDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist: write a cohort first with ./cl2 synth --task <task> --out {cohortDirectory}", path);
        }
        var manifest = JsonSerializer.Deserialize<CohortManifest>(File.ReadAllText(path), Json)
            ?? throw new InvalidDataException($"{path} is empty");
        return manifest.Format == CurrentFormat
            ? manifest
            : throw new InvalidDataException($"{path} has format '{manifest.Format}'; this version reads '{CurrentFormat}'");
    }

    public void Write(string cohortDirectory) =>
        File.WriteAllText(Path.Combine(cohortDirectory, FileName), JsonSerializer.Serialize(this, Json));
}

/// <param name="Series">Series role (T1, T1c, T2, FLAIR, CT, DX) → folder of its DICOM files.</param>
/// <param name="Labels">The label volume's header (<see cref="LabelVolume"/>) for segmentation tasks.</param>
/// <param name="Fracture">For the hip task: whether a femoral neck is fractured.</param>
public sealed record CohortCase(
    string Id,
    string PatientId,
    string StudyInstanceUid,
    IReadOnlyDictionary<string, string> Series,
    string? Labels = null,
    bool? Fracture = null,
    string? FracturedSide = null);
