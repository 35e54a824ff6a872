namespace Cl2.Dicom.Tests.ResultObjects;

/// <summary>python3-pydicom as an independent reader and as another tool's writer of segmentations.</summary>
internal static class PydicomScripts
{
    /// <summary>Prints, per frame of a SEG: the Referenced Segment Number, Image Position (Patient) and pixels as 0/1 text.</summary>
    public const string ReadFrames = """
        import json, sys
        import pydicom
        ds = pydicom.dcmread(sys.argv[1])
        pixels = ds.pixel_array.reshape(int(ds.NumberOfFrames), int(ds.Rows), int(ds.Columns))
        frames = []
        for i, group in enumerate(ds.PerFrameFunctionalGroupsSequence):
            frames.append({
                "segment": int(group.SegmentIdentificationSequence[0].ReferencedSegmentNumber),
                "position": [float(v) for v in group.PlanePositionSequence[0].ImagePositionPatient],
                "pixels": "".join("1" if v else "0" for v in pixels[i].flatten()),
            })
        print(json.dumps({"frames": frames, "segments": [str(s.SegmentLabel) for s in ds.SegmentSequence]}))
        """;

    /// <summary>
    /// Writes a FRACTIONAL segmentation as another tool might: frames from the top slice down, no Derivation Image (frames
    /// are placed by position only), values 200 inside a box and 100 (under half of 255) in a rim around it, so a reader
    /// that thresholds at 0.5 sees the box. Arguments: output path, then the source files; box bounds are fixed below.
    /// </summary>
    public const string WriteFractional = """
        import sys
        import numpy as np
        import pydicom
        from pydicom.dataset import Dataset, FileMetaDataset
        from pydicom.sequence import Sequence
        from pydicom.uid import ExplicitVRLittleEndian
        out = sys.argv[1]
        sources = [pydicom.dcmread(p) for p in sys.argv[2:]]
        sources.sort(key=lambda s: float(s.ImagePositionPatient[2]), reverse=True)
        first = sources[0]
        rows, cols = int(first.Rows), int(first.Columns)
        def code(value, scheme, meaning):
            c = Dataset(); c.CodeValue = value; c.CodingSchemeDesignator = scheme; c.CodeMeaning = meaning
            return Sequence([c])
        ds = Dataset()
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.66.4"
        ds.SOPInstanceUID = pydicom.uid.generate_uid()
        for k in ["PatientName", "PatientID", "StudyInstanceUID", "FrameOfReferenceUID"]:
            setattr(ds, k, getattr(first, k))
        ds.Modality = "SEG"; ds.SeriesInstanceUID = pydicom.uid.generate_uid(); ds.SeriesNumber = 7
        ds.SamplesPerPixel = 1; ds.PhotometricInterpretation = "MONOCHROME2"; ds.Rows = rows; ds.Columns = cols
        ds.BitsAllocated = 8; ds.BitsStored = 8; ds.HighBit = 7; ds.PixelRepresentation = 0
        ds.SegmentationType = "FRACTIONAL"; ds.SegmentationFractionalType = "PROBABILITY"; ds.MaximumFractionalValue = 255
        segment = Dataset(); segment.SegmentNumber = 1; segment.SegmentLabel = "lesion (other tool)"
        segment.SegmentAlgorithmType = "MANUAL"
        segment.SegmentedPropertyCategoryCodeSequence = code("49755003", "SCT", "Morphologically Abnormal Structure")
        segment.SegmentedPropertyTypeCodeSequence = code("108369006", "SCT", "Neoplasm")
        ds.SegmentSequence = Sequence([segment])
        shared = Dataset()
        orientation = Dataset(); orientation.ImageOrientationPatient = first.ImageOrientationPatient
        shared.PlaneOrientationSequence = Sequence([orientation])
        ds.SharedFunctionalGroupsSequence = Sequence([shared])
        frames, groups = [], []
        for s in sources:
            z = round((float(s.ImagePositionPatient[2]) + 40.0) / 2.5)
            if not (2 <= z < 4):
                continue
            frame = np.zeros((rows, cols), dtype=np.uint8)
            frame[3:8, 2:7] = 100
            frame[4:7, 3:6] = 200
            frames.append(frame)
            g = Dataset()
            position = Dataset(); position.ImagePositionPatient = s.ImagePositionPatient
            g.PlanePositionSequence = Sequence([position])
            ident = Dataset(); ident.ReferencedSegmentNumber = 1
            g.SegmentIdentificationSequence = Sequence([ident])
            groups.append(g)
        ds.PerFrameFunctionalGroupsSequence = Sequence(groups)
        ds.NumberOfFrames = len(frames)
        ds.PixelData = np.stack(frames).tobytes()
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = ds.SOPClassUID; meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.file_meta = meta; ds.is_little_endian = True; ds.is_implicit_VR = False
        ds.save_as(out, write_like_original=False)
        print(ds.SOPInstanceUID)
        """;
}
