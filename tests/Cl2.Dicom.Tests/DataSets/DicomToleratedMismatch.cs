namespace Cl2.Dicom.Tests.DataSets;

/// <summary>A difference from DCMTK that the corpus test accepts, where, and why it is not our error.</summary>
internal sealed record DicomToleratedMismatch(string File, string JsonPath, string Reason)
{
    /// <summary>Every mismatch the corpus JSON test tolerates. Anything not listed here fails the test.</summary>
    public static readonly IReadOnlyList<DicomToleratedMismatch> All =
    [
        new("charset_files/chrSQEncoding.dcm", "/00321064/Value[0]/00100010",
            "the item declares its own ISO 2022 IR 13\\ISO 2022 IR 87, which Debian's DCMTK cannot convert: dcm2json copies the raw bytes (escape sequences, invalid UTF-8) where we decode the Japanese name"),
    ];

    /// <summary>Whole files whose dcm2json output cannot serve as the oracle, by the start of dcm2json's error message.</summary>
    public static readonly IReadOnlyDictionary<string, string> Dcm2JsonFailures = new Dictionary<string, string>
    {
        ["JSON InlineBinary encoding not supported for compressed pixel data"] =
            "dcm2json cannot print encapsulated pixel data; the file is compared without (7FE0,0010), removed with dcmodify -ea on a copy, "
            + "and without Data Set Trailing Padding (FFFC,FFFC), which dcmodify drops when it rewrites the copy",
        ["'ISO 2022 IR 87' is not supported"] =
            "Debian's DCMTK is built without a converter for ISO 2022 IR 87 (JIS X 0208); we must still read the file and print JSON, "
            + "and DicomCharacterSetTests checks the decoded Japanese names against the examples of PS3.5 Annex H",
    };
}
