using System.Security.Cryptography;
using System.Text;
using Cl2.Dicom.Deidentification;

namespace Cl2.Labeling.Cohorts;

/// <summary>
/// One secret per research dataset, derived on the server from Pacs:PseudonymMasterKey and the dataset id (never stored or
/// shown): the same original UID or patient always maps to the same pseudonym within a dataset, and to unrelated ones in
/// another dataset.
/// </summary>
public static class DatasetPseudonyms
{
    public static PseudonymKey KeyFor(string masterKey, Guid datasetId) =>
        new(HMACSHA256.HashData(Encoding.UTF8.GetBytes(masterKey), Encoding.ASCII.GetBytes("cl2-dataset:" + datasetId.ToString("D"))));

    public static DicomDeidentifier DeidentifierFor(PseudonymKey key, PacsImportStarted started)
    {
        var options = new HashSet<ConfidentialityOption>();
        if (started.RetainLongitudinalTemporalInformation)
        {
            options.Add(ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates);
        }
        if (started.CleanDescriptors)
        {
            options.Add(ConfidentialityOption.CleanDescriptors);
        }
        return new DicomDeidentifier(new DeidentificationSettings(key, options));
    }
}
