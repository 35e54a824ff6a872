namespace Cl2.Dicom.Deidentification;

/// <summary>
/// Applies the Basic Application Level Confidentiality Profile (PS3.15 §E.2) with the selected options (§E.3) to a copy of
/// an instance; the original is left as it was. Every attribute of Table E.1-1 gets its action at any depth of sequences;
/// private elements, curves (50xx) and overlay planes (60xx) are removed; instance UIDs are replaced by keyed pseudonyms
/// (<see cref="PseudonymKey.MapUid"/>), so that references between instances of one research dataset still hold; the
/// patient gets the caller's pseudonym; attributes the table does not list are kept.
/// </summary>
public sealed class DicomDeidentifier
{
    private static readonly HashSet<DicomTag> CodeSequenceAttributes =
    [
        DicomTags.CodeValue, DicomTags.CodingSchemeDesignator, DicomTags.CodingSchemeVersion, DicomTags.CodeMeaning,
        DicomTags.LongCodeValue, DicomTags.URNCodeValue, DicomTags.ContextIdentifier, DicomTags.MappingResource,
        DicomTags.MappingResourceName, DicomTags.ContextGroupVersion, DicomTags.ContextGroupLocalVersion,
        DicomTags.ContextGroupExtensionFlag,
    ];

    // Meta elements that name the sending application or station, or carry private data (PS3.10 §7.1).
    private static readonly HashSet<DicomTag> DroppedMetaElements =
    [
        DicomTags.MediaStorageSOPInstanceUID, DicomTags.ImplementationClassUID, DicomTags.ImplementationVersionName,
        DicomTags.SourceApplicationEntityTitle, DicomTags.SendingApplicationEntityTitle, DicomTags.ReceivingApplicationEntityTitle,
        DicomTags.SourcePresentationAddress, DicomTags.SendingPresentationAddress, DicomTags.ReceivingPresentationAddress,
        DicomTags.PrivateInformationCreatorUID, DicomTags.PrivateInformation,
    ];

    private readonly DeidentificationSettings _settings;

    public DicomDeidentifier(DeidentificationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        this._settings = settings;
    }

    private bool RetainsFullDates => _settings.Options.Contains(ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates);

    private bool ModifiesDates => _settings.Options.Contains(ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates);

    /// <summary>A de-identified copy of the file; the meta group follows the new SOP Instance UID and drops AE titles.</summary>
    public DicomFile Deidentify(DicomFile file, PatientPseudonym pseudonym)
    {
        ArgumentNullException.ThrowIfNull(file);
        var dataset = Deidentify(file.Dataset, pseudonym);
        var meta = new DicomDataset();
        foreach (var element in file.FileMetaInformation)
        {
            if (element.Tag.Group == 0x0002 && !element.Tag.IsGroupLength && !DroppedMetaElements.Contains(element.Tag))
            {
                meta.Add(element);
            }
        }
        if (dataset.TryGetString(DicomTags.SOPInstanceUID, out var instance))
        {
            meta.SetUid(DicomTags.MediaStorageSOPInstanceUID, instance);
        }
        else if (file.FileMetaInformation.TryGetString(DicomTags.MediaStorageSOPInstanceUID, out var stored) && stored.Length > 0)
        {
            meta.SetUid(DicomTags.MediaStorageSOPInstanceUID, _settings.Key.MapUid(stored));
        }
        if (meta.Count > 0)
        {
            meta.SetUid(DicomTags.ImplementationClassUID, DicomFileMetaInformation.ImplementationClassUid);
            meta.SetString(DicomTags.ImplementationVersionName, DicomFileMetaInformation.ImplementationVersionName);
        }
        return new DicomFile(meta, dataset, file.TransferSyntax);
    }

    /// <summary>A de-identified copy of a top-level dataset, with Patient Identity Removed and the method recorded.</summary>
    public DicomDataset Deidentify(DicomDataset dataset, PatientPseudonym pseudonym)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(pseudonym);
        if (pseudonym.PatientId.Length is 0 or > 64 || pseudonym.PatientName.Length > 64 || (pseudonym.PatientId + pseudonym.PatientName).Contains('\\'))
        {
            throw new ArgumentException("a pseudonym needs a Patient ID of 1 to 64 characters and a name of at most 64, without '\\'", nameof(pseudonym));
        }
        var run = new Run(this, DescriptorCleaner.For(dataset), _settings.Key.DateShiftDays(pseudonym.PatientId));
        var target = new DicomDataset();
        run.Copy(dataset, target, inDummySequence: false);
        target.SetString(DicomTags.PatientName, DicomVR.PN, pseudonym.PatientName);
        target.SetString(DicomTags.PatientID, DicomVR.LO, pseudonym.PatientId);
        RecordMethod(dataset, target);
        return target;
    }

    /// <summary>Whether pixel data may show text (Burned In Annotation YES): the Basic Profile does not clean pixels.</summary>
    public static bool HasBurnedInAnnotation(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return dataset.TryGetString(DicomTags.BurnedInAnnotation, out var value) && value.Trim().Equals("YES", StringComparison.OrdinalIgnoreCase);
    }

    private void RecordMethod(DicomDataset source, DicomDataset target)
    {
        target.SetString(DicomTags.PatientIdentityRemoved, DicomVR.CS, "YES");
        var options = _settings.Options.Order().Select(o => DeidentificationMethodCode.Of(o).Code).ToArray();
        var codes = new[] { DeidentificationMethodCode.BasicProfile }.Concat(options).ToArray();
        // Earlier de-identification stays on record (PS3.15 §E.1.1): ours is added to it.
        var methods = source.TryGetString(DicomTags.DeidentificationMethod, out var earlier) && earlier.Length > 0 ? [earlier] : new List<string>();
        methods.AddRange(codes.Select(c => c.CodeMeaning));
        target.SetString(DicomTags.DeidentificationMethod, DicomVR.LO, string.Join('\\', methods));
        var sequence = new DicomSequence(DicomTags.DeidentificationMethodCodeSequence);
        target.Add(sequence);
        if (source.TryGetSequence(DicomTags.DeidentificationMethodCodeSequence, out var earlierCodes))
        {
            foreach (var item in earlierCodes.Items)
            {
                var copy = new DicomDataset();
                sequence.Add(copy);
                foreach (var element in item)
                {
                    copy.Add(element);
                }
            }
        }
        foreach (var code in codes)
        {
            var item = new DicomDataset();
            sequence.Add(item);
            item.SetString(DicomTags.CodeValue, DicomVR.SH, code.CodeValue);
            item.SetString(DicomTags.CodingSchemeDesignator, DicomVR.SH, DeidentificationMethodCode.CodingSchemeDesignator);
            item.SetString(DicomTags.CodeMeaning, DicomVR.LO, code.CodeMeaning);
        }
        target.SetString(DicomTags.LongitudinalTemporalInformationModified, DicomVR.CS,
            RetainsFullDates ? "UNMODIFIED" : ModifiesDates ? "MODIFIED" : "REMOVED");
    }

    /// <summary>The state of one instance's de-identification.</summary>
    private sealed class Run(DicomDeidentifier owner, DescriptorCleaner cleaner, int dateShiftDays)
    {
        private DeidentificationSettings Settings => owner._settings;

        public void Copy(DicomDataset source, DicomDataset target, bool inDummySequence)
        {
            foreach (var element in source)
            {
                var tag = element.Tag;
                if (tag.IsPrivate || tag.IsGroupLength || IsRepeatingGroup(tag, 0x5000) || IsRepeatingGroup(tag, 0x6000))
                {
                    // Private: X. Curves: X. Overlays: Overlay Data and Comments are X, and a plane without its data is invalid, so the plane goes.
                    continue;
                }
                var attribute = ConfidentialityProfile.Find(tag);
                if (attribute is null)
                {
                    if (element is DicomValueElement value && ((inDummySequence && IsFreeTextInDummySequence(value)) || IsDate(value)))
                    {
                        AddDummyOrShiftedDate(source, value, target);
                    }
                    else
                    {
                        Keep(element, target, inDummySequence);
                    }
                    continue;
                }
                var (action, option) = attribute.ActionWith(Settings.Options);
                Apply(source, element, target, action, option, inDummySequence);
            }
        }

        private void Apply(DicomDataset source, DicomElement element, DicomDataset target, ConfidentialityAction action,
            ConfidentialityOption? option, bool inDummySequence)
        {
            var isSequence = element is DicomSequence;
            switch (action)
            {
                case ConfidentialityAction.Keep:
                    Keep(element, target, inDummySequence);
                    break;
                case ConfidentialityAction.Remove:
                    break;
                case ConfidentialityAction.Zero or ConfidentialityAction.RemoveOrZero:
                case ConfidentialityAction.RemoveOrZeroOrDummy when isSequence:
                    Zero(element, target);
                    break;
                case ConfidentialityAction.Dummy or ConfidentialityAction.ZeroOrDummy or ConfidentialityAction.RemoveOrDummy
                    or ConfidentialityAction.RemoveOrZeroOrDummy:
                    Dummy(source, element, target);
                    break;
                case ConfidentialityAction.RemoveOrZeroOrUids:
                    if (isSequence)
                    {
                        Keep(element, target, inDummySequence); // the contained instance UIDs are U rows of their own
                    }
                    else
                    {
                        Zero(element, target);
                    }
                    break;
                case ConfidentialityAction.Uid:
                    Uid(source, element, target);
                    break;
                case ConfidentialityAction.Clean:
                    Clean(source, element, target, option, inDummySequence);
                    break;
                default:
                    throw new InvalidOperationException($"no rule for action {action.ToCode()}");
            }
        }

        private void Keep(DicomElement element, DicomDataset target, bool inDummySequence)
        {
            if (element is DicomSequence sequence)
            {
                CopySequence(sequence, target, inDummySequence);
            }
            else
            {
                target.Add(element);
            }
        }

        private void CopySequence(DicomSequence sequence, DicomDataset target, bool inDummySequence)
        {
            var copy = new DicomSequence(sequence.Tag);
            target.Add(copy); // before the items are filled, so that they inherit the target's Specific Character Set
            foreach (var item in sequence.Items)
            {
                var itemCopy = new DicomDataset();
                copy.Add(itemCopy);
                Copy(item, itemCopy, inDummySequence);
            }
        }

        private static void Zero(DicomElement element, DicomDataset target) =>
            target.Add(element is DicomSequence ? new DicomSequence(element.Tag) : new DicomValueElement(element.Tag, ValueVR(element), DicomBuffer.FromBytes(Array.Empty<byte>())));

        private void Dummy(DicomDataset source, DicomElement element, DicomDataset target)
        {
            switch (element)
            {
                case DicomSequence sequence:
                    // A dummy sequence keeps its items, with every listed attribute processed and all free text replaced.
                    CopySequence(sequence, target, inDummySequence: true);
                    break;
                case DicomValueElement value when ValueVR(value) == DicomVR.UI:
                    Uid(source, value, target);
                    break;
                case DicomValueElement value:
                    AddDummy(value, target);
                    break;
                default:
                    break; // encapsulated pixel data is never listed
            }
        }

        private static void AddDummy(DicomValueElement value, DicomDataset target)
        {
            var vr = ValueVR(value);
            if (vr.IsText)
            {
                target.SetString(value.Tag, vr, DummyValues.ForText(vr));
            }
            else
            {
                target.SetBytes(value.Tag, vr, DummyValues.ForBinary(vr));
            }
        }

        private void AddDummyOrShiftedDate(DicomDataset source, DicomValueElement value, DicomDataset target)
        {
            var vr = ValueVR(value);
            if (vr == DicomVR.DA || vr == DicomVR.DT || vr == DicomVR.TM)
            {
                if (owner.RetainsFullDates)
                {
                    target.Add(value);
                    return;
                }
                if (owner.ModifiesDates)
                {
                    ShiftDates(source, value, target);
                    return;
                }
            }
            AddDummy(value, target);
        }

        private void Uid(DicomDataset source, DicomElement element, DicomDataset target)
        {
            if (element is not DicomValueElement value)
            {
                Keep(element, target, inDummySequence: false);
                return;
            }
            var uids = ReadText(source, value).Split('\\').Select(u => u.Trim('\0', ' ')).ToArray();
            // Registered UIDs (well-known frames of reference, coding schemes…) identify no one and must keep their meaning.
            var mapped = uids.Select(u => u.Length == 0 || DicomUids.Find(u) is not null ? u : Settings.Key.MapUid(u));
            target.SetString(value.Tag, DicomVR.UI, string.Join('\\', mapped));
        }

        private void Clean(DicomDataset source, DicomElement element, DicomDataset target, ConfidentialityOption? option, bool inDummySequence)
        {
            if (element is DicomSequence sequence)
            {
                CopySequence(sequence, target, inDummySequence); // coded entries are controlled terminology; their listed attributes are processed
                return;
            }
            if (element is not DicomValueElement value)
            {
                return;
            }
            if (option == ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates)
            {
                ShiftDates(source, value, target);
                return;
            }
            var vr = ValueVR(value);
            if (!vr.IsText)
            {
                target.Add(value);
                return;
            }
            var cleaned = cleaner.Clean(ReadText(source, value));
            target.SetString(value.Tag, vr, cleaned);
        }

        /// <summary>Modified Dates: DA and the date of DT move back by the patient's shift; times and time zones stay.</summary>
        private void ShiftDates(DicomDataset source, DicomValueElement value, DicomDataset target)
        {
            var vr = ValueVR(value);
            if (vr != DicomVR.DA && vr != DicomVR.DT)
            {
                target.Add(value);
                return;
            }
            var shifted = ReadText(source, value).Split('\\').Select(v => ShiftDate(v.Trim(), dateShiftDays)).ToArray();
            target.SetString(value.Tag, vr, shifted.Any(s => s is null) ? "" : string.Join('\\', shifted));
        }

        private static string? ShiftDate(string value, int days)
        {
            if (value.Length == 0)
            {
                return value;
            }
            if (value.Length < 8 || !DateOnly.TryParseExact(value[..8], "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.None, out var date))
            {
                return null; // a partial or unreadable date cannot be shifted, so it is removed
            }
            return date.AddDays(-days).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) + value[8..];
        }

        private static bool IsFreeTextInDummySequence(DicomValueElement value)
        {
            var vr = ValueVR(value);
            return !CodeSequenceAttributes.Contains(value.Tag)
                && vr.Code is "PN" or "LO" or "SH" or "ST" or "LT" or "UT" or "UC" or "DA" or "DT" or "TM";
        }

        // Beyond the table: a date it does not list (Instance Creation Date, Observation DateTime…) would give away the study
        // date that it blanks, so unlisted DA and DT values are treated like the listed ones (dummy, kept or shifted).
        private static bool IsDate(DicomValueElement value) => ValueVR(value) == DicomVR.DA || ValueVR(value) == DicomVR.DT;

        private static bool IsRepeatingGroup(DicomTag tag, ushort first) => (tag.Group & 0xFFE1) == first;

        /// <summary>The VR to write: an explicit UN becomes the registry's VR so that a replaced value is encoded properly.</summary>
        private static DicomVR ValueVR(DicomElement element)
        {
            if (element.VR != DicomVR.UN)
            {
                return element.VR;
            }
            var registered = DicomDictionary.ImplicitVR(element.Tag);
            return registered == DicomVR.SQ ? DicomVR.UN : registered;
        }

        private static string ReadText(DicomDataset source, DicomValueElement value) =>
            value.VR.IsText ? source.GetString(value.Tag) : System.Text.Encoding.ASCII.GetString(value.Buffer.GetBytes().Span).TrimEnd('\0', ' ');
    }
}
