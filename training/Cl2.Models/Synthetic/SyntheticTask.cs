namespace Cl2.Models.Synthetic;

/// <summary>The three clinical workloads a synthetic cohort can stand in for.</summary>
public enum SyntheticTask
{
    /// <summary>Brain tumour segmentation on T1, T1c, T2 and FLAIR MRI; BraTS labels.</summary>
    BrainMri,

    /// <summary>Liver (and liver lesion) segmentation on abdominal CT.</summary>
    LiverCt,

    /// <summary>Hip fracture detection on pelvis radiographs.</summary>
    HipXray,
}

public static class SyntheticTasks
{
    public static IReadOnlyList<string> Names { get; } = ["brain-mri", "liver-ct", "hip-xray"];

    public static string Name(this SyntheticTask task) => task switch
    {
        SyntheticTask.BrainMri => "brain-mri",
        SyntheticTask.LiverCt => "liver-ct",
        SyntheticTask.HipXray => "hip-xray",
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, null),
    };

    public static SyntheticTask Parse(string name) => name switch
    {
        "brain-mri" => SyntheticTask.BrainMri,
        "liver-ct" => SyntheticTask.LiverCt,
        "hip-xray" => SyntheticTask.HipXray,
        _ => throw new ArgumentException($"unknown task '{name}'; choose one of {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>The default edge length in voxels (pixels for radiographs): small enough to train on a CPU in minutes.</summary>
    public static int DefaultSize(this SyntheticTask task) => task == SyntheticTask.HipXray ? 128 : 48;
}
