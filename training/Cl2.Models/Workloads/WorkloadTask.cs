namespace Cl2.Models.Workloads;

/// <summary>The three clinical workloads (each a <see cref="Workload"/>); a synthetic cohort can stand in for each.</summary>
public enum WorkloadTask
{
    /// <summary>Brain tumour segmentation on T1, T1c, T2 and FLAIR MRI; BraTS labels.</summary>
    BrainMri,

    /// <summary>Liver (and liver lesion) segmentation on abdominal CT.</summary>
    LiverCt,

    /// <summary>Hip fracture detection on pelvis radiographs.</summary>
    HipXray,
}

public static class WorkloadTasks
{
    public static IReadOnlyList<string> Names { get; } = ["brain-mri", "liver-ct", "hip-xray"];

    public static string Name(this WorkloadTask task) => task switch
    {
        WorkloadTask.BrainMri => "brain-mri",
        WorkloadTask.LiverCt => "liver-ct",
        WorkloadTask.HipXray => "hip-xray",
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, null),
    };

    public static WorkloadTask Parse(string name) => name switch
    {
        "brain-mri" => WorkloadTask.BrainMri,
        "liver-ct" => WorkloadTask.LiverCt,
        "hip-xray" => WorkloadTask.HipXray,
        _ => throw new ArgumentException($"unknown task '{name}'; choose one of {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>The default edge length of a synthetic phantom in voxels (pixels for radiographs): small enough to train on a CPU in minutes.</summary>
    public static int DefaultSize(this WorkloadTask task) => task == WorkloadTask.HipXray ? 128 : 48;
}
