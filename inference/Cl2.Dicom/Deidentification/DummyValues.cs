namespace Cl2.Dicom.Deidentification;

/// <summary>The D action's values: valid for the VR, non-empty, and saying nothing about anyone.</summary>
public static class DummyValues
{
    public const string Text = "ANONYMIZED";

    /// <summary>The dummy of a text VR; UI has none here (a dummy UID is a mapped one, see <see cref="PseudonymKey.MapUid"/>).</summary>
    public static string ForText(DicomVR vr)
    {
        ArgumentNullException.ThrowIfNull(vr);
        return vr.Code switch
        {
            "DA" => "19000101",
            "DT" => "19000101000000",
            "TM" => "000000",
            "DS" or "IS" => "0",
            "AS" => "000Y",
            "UR" => "urn:anonymized",
            _ => Text,
        };
    }

    /// <summary>One zero value of a binary VR (two zero bytes for OB and UN, so the length stays even).</summary>
    public static byte[] ForBinary(DicomVR vr)
    {
        ArgumentNullException.ThrowIfNull(vr);
        return new byte[Math.Max(2, vr == DicomVR.AT ? 4 : vr.UnitSize)];
    }
}
