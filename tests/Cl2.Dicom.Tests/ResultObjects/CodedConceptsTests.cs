using System.Reflection;
using System.Text.Json;
using Cl2.Dicom.Coding;

namespace Cl2.Dicom.Tests.ResultObjects;

public sealed class CodedConceptsTests
{
    /// <summary>
    /// Concepts pydicom 2.3.1's tables (generated from PS3.16) do not hold, each with where it was checked instead.
    /// </summary>
    private static readonly Dictionary<string, string> CheckedElsewhere = new()
    {
        ["SCT 5913000"] = "a SNOMED CT disorder, not in a PS3.16 context group",
        ["RFC5646 en-US"] = "a BCP 47 language tag; CID 5000 allows any",
        ["UCUM ml"] = "a UCUM unit; CID 7181 allows any UCUM unit",
    };

    /// <summary>Prints, for each "scheme value" argument, the meanings pydicom's PS3.16 concept tables give it.</summary>
    private const string Lookup = """
        import json, sys
        from pydicom.sr._concepts_dict import concepts
        found = {}
        for key in sys.argv[1:]:
            scheme, value = key.split(" ", 1)
            found[key] = [m for codes in concepts.get(scheme, {}).values() for code, (m, _) in codes.items() if code == value]
        print(json.dumps(found))
        """;

    [Fact]
    public async Task every_coded_concept_has_the_value_and_meaning_of_ps3_16()
    {
        var ours = typeof(CodedConcepts).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (CodedConcept)f.GetValue(null)!)
            .ToList();
        var keys = ours.Select(c => $"{c.Scheme} {c.Value}").Where(k => !CheckedElsewhere.ContainsKey(k)).ToArray();

        using var json = JsonDocument.Parse(await ResultObjectPeers.PythonAsync(Lookup, keys));

        Assert.True(ours.Count > 30, "the concepts were not found by reflection");
        foreach (var concept in ours.Where(c => !CheckedElsewhere.ContainsKey($"{c.Scheme} {c.Value}")))
        {
            var meanings = json.RootElement.GetProperty($"{concept.Scheme} {concept.Value}").EnumerateArray().Select(m => m.GetString()!).ToList();
            Assert.True(meanings.Contains(concept.Meaning, StringComparer.OrdinalIgnoreCase),
                $"{concept}: PS3.16 (as pydicom has it) gives {(meanings.Count == 0 ? "no such code" : string.Join(" | ", meanings))}");
        }
    }
}
