using Cl2.Dicom;
using Cl2.Inference.QueryRetrieve;

namespace Cl2.Inference.Tests.Listener;

/// <summary>C-FIND attribute matching (PS3.4 C.2.2.2) as a pure function.</summary>
public sealed class AttributeMatchingTests
{
    public static TheoryData<string, string, string?, bool> Cases => new()
    {
        { "", "PN", null, true },                           // universal matches even an absent value
        { "*", "LO", "anything", true },
        { "1CT1", "LO", "1CT1", true },
        { "1CT1", "LO", "1ct1", false },                    // single value: exact
        { "doe^jane", "PN", "Doe^Jane", true },             // person names: case-insensitive
        { "Doe*", "PN", "Doe^Jane", true },
        { "D?e^*", "PN", "Doe^Jane", true },
        { "*ane", "PN", "Doe^Janet", false },
        { "1.2.3\\1.2.4", "UI", "1.2.4", true },            // UID list
        { "1.2.*", "UI", "1.2.3", false },                  // no wild cards in UIDs
        { "20040101-20041231", "DA", "20040826", true },
        { "20040101-20041231", "DA", "20050101", false },
        { "20100101-", "DA", "20170101", true },
        { "-20100101", "DA", "20170101", false },
        { "0800-1200", "TM", "10:30:00", true },            // old ACR-NEMA time with colons
        { "0800-1200", "TM", "120059.5", true },            // compared on the bound's precision
        { "0800-1200", "TM", "1201", false },
        { "MR", "CS", "CT\\MR", true },                     // any value of a multi-valued attribute
        { "CT", "CS", null, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void a_key_matches_as_the_standard_says(string key, string vr, string? value, bool expected) =>
        Assert.Equal(expected, AttributeMatching.Matches(key, DicomVR.Parse(vr), value));
}
