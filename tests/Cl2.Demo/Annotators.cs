using System.Formats.Tar;
using System.Text.Json.Nodes;
using Cl2.Models.Synthetic;

namespace Cl2.Demo;

/// <summary>
/// The simulated annotators of a segmentation: each draws a case's label from the phantom's ground truth, moved
/// <see cref="WorkloadPlan.AnnotatorSlip"/> columns to the right (one consistent slip, as when they label on a series
/// misregistered by that much; the label still names the series' own grid, so it is used, and it is wrong).
/// </summary>
public static class Annotators
{
    /// <summary>The label volume moved <paramref name="columns"/> voxels along the columns; voxels moved in from the edge are background.</summary>
    public static byte[] Shifted(byte[] labels, int[] shape, int columns)
    {
        var (slices, rows, width) = (shape[0], shape[1], shape[2]);
        var shifted = new byte[labels.Length];
        for (var line = 0; line < slices * rows; line++)
        {
            for (var column = Math.Max(0, columns); column < width + Math.Min(0, columns); column++)
            {
                shifted[(line * width) + column] = labels[(line * width) + column - columns];
            }
        }
        return shifted;
    }

    /// <summary>Packs <paramref name="voxels"/> on the grid of the label header <paramref name="headerPath"/> as the mask blob
    /// format (a tar of labels.json and labels.u8, as the web app saves a labelmap) and uploads it; its digest.</summary>
    public static async Task<string> UploadMaskAsync(Person person, string headerPath, byte[] voxels, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var header = JsonNode.Parse(await File.ReadAllTextAsync(headerPath, cancellationToken).ConfigureAwait(false))!;
        header["dataFile"] = LabelVolume.DataFileName;
        await File.WriteAllTextAsync(Path.Combine(folder, LabelVolume.HeaderFileName), header.ToJsonString(), cancellationToken).ConfigureAwait(false);
        await File.WriteAllBytesAsync(Path.Combine(folder, LabelVolume.DataFileName), voxels, cancellationToken).ConfigureAwait(false);
        using var tar = new MemoryStream();
        await TarFile.CreateFromDirectoryAsync(folder, tar, includeBaseDirectory: false, cancellationToken).ConfigureAwait(false);
        return await person.UploadBlobAsync(tar.ToArray(), cancellationToken).ConfigureAwait(false);
    }
}
