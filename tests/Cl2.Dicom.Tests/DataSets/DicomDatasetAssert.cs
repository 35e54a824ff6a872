using Cl2.Dicom;

namespace Cl2.Dicom.Tests.DataSets;

/// <summary>Deep comparison of datasets: same tags, VRs and values (an odd value equals itself plus its padding byte).</summary>
internal static class DicomDatasetAssert
{
    public static List<string> Differences(DicomDataset expected, DicomDataset actual, string path = "")
    {
        var differences = new List<string>();
        var left = expected.Where(e => !e.Tag.IsGroupLength).ToDictionary(e => e.Tag);
        var right = actual.Where(e => !e.Tag.IsGroupLength).ToDictionary(e => e.Tag);
        foreach (var tag in left.Keys.Union(right.Keys).Order())
        {
            var where = $"{path}{tag}";
            if (!left.TryGetValue(tag, out var a) || !right.TryGetValue(tag, out var b))
            {
                differences.Add($"{where}: only in {(left.ContainsKey(tag) ? "the original" : "the copy")}");
                continue;
            }
            // Where the registry allows several VRs (OB or OW, US or SS), implicit VR cannot keep the choice: any listed VR is the same element.
            var alternatives = DicomDictionary.Find(tag)?.ValueRepresentations ?? [];
            var sameChoice = alternatives.Contains(a.VR) && alternatives.Contains(b.VR);
            if (a.VR != b.VR && !sameChoice && !(b.VR == DicomVR.UN && a is DicomValueElement { Length: > ushort.MaxValue }))
            {
                differences.Add($"{where}: VR {a.VR} became {b.VR}");
                continue;
            }
            switch (a, b)
            {
                case (DicomSequence x, DicomSequence y):
                    if (x.Items.Count != y.Items.Count)
                    {
                        differences.Add($"{where}: {x.Items.Count} items became {y.Items.Count}");
                        break;
                    }
                    for (var i = 0; i < x.Items.Count; i++)
                    {
                        differences.AddRange(Differences(x.Items[i], y.Items[i], $"{where}[{i}]"));
                    }
                    break;
                case (DicomFragmentSequence x, DicomFragmentSequence y):
                    if (!Same(x.BasicOffsetTable, y.BasicOffsetTable) || x.Fragments.Count != y.Fragments.Count
                        || x.Fragments.Zip(y.Fragments).Any(pair => !Same(pair.First, pair.Second)))
                    {
                        differences.Add($"{where}: fragments differ");
                    }
                    break;
                case (DicomValueElement x, DicomValueElement y):
                    if (!Same(x.Buffer, y.Buffer))
                    {
                        differences.Add($"{where}: value of {x.Length} bytes differs (copy has {y.Length})");
                    }
                    break;
                default:
                    differences.Add($"{where}: {a.GetType().Name} became {b.GetType().Name}");
                    break;
            }
        }
        return differences;
    }

    private static bool Same(DicomBuffer a, DicomBuffer b)
    {
        var x = a.GetBytes().Span;
        var y = b.GetBytes().Span;
        return x.SequenceEqual(y) || (x.Length % 2 == 1 && y.Length == x.Length + 1 && x.SequenceEqual(y[..x.Length]));
    }
}
