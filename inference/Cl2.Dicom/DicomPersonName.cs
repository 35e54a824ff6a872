namespace Cl2.Dicom;

/// <summary>
/// A person name (PS3.5 §6.2.1): up to three component groups (alphabetic, ideographic, phonetic) separated by '=',
/// each with family, given, middle, prefix and suffix separated by '^'.
/// </summary>
public sealed record DicomPersonName(string Alphabetic, string Ideographic = "", string Phonetic = "")
{
    public static DicomPersonName Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var groups = value.Split('=');
        return new DicomPersonName(groups[0], groups.Length > 1 ? groups[1] : "", groups.Length > 2 ? groups[2] : "");
    }

    public static DicomPersonName FromComponents(string family, string given = "", string middle = "", string prefix = "", string suffix = "") =>
        new(string.Join('^', new[] { family, given, middle, prefix, suffix }).TrimEnd('^'));

    public string FamilyName => Component(0);

    public string GivenName => Component(1);

    public string MiddleName => Component(2);

    public string NamePrefix => Component(3);

    public string NameSuffix => Component(4);

    private string Component(int index)
    {
        var parts = Alphabetic.Split('^');
        return index < parts.Length ? parts[index] : "";
    }

    public override string ToString() =>
        Phonetic.Length > 0 ? $"{Alphabetic}={Ideographic}={Phonetic}" : Ideographic.Length > 0 ? $"{Alphabetic}={Ideographic}" : Alphabetic;
}
