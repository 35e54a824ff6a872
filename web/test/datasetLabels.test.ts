import { describe, expect, it } from 'vitest';
import { packClassification, segmentNames, unpackClassification, type DatasetLabelling } from '../src/labels/datasetLabels';

const undefinedLabels: DatasetLabelling = { labelKind: null, labels: [] };

describe('segment names', () => {
  it('come from the dataset where it defines segmentation labels', () => {
    const liver: DatasetLabelling = { labelKind: 'SEGMENTATION', labels: [{ name: 'liver', value: 1 }, { name: 'liver lesion', value: 2 }] };

    expect(segmentNames(liver, { '1': 'Segment 1' })).toEqual({ '1': 'liver', '2': 'liver lesion' });
  });

  it('come from the last revision when the dataset defines none', () => {
    expect(segmentNames(undefinedLabels, { '2': 'lesion' })).toEqual({ '2': 'lesion' });
  });

  it('are one segment for a first label of a dataset without labels', () => {
    expect(segmentNames(undefinedLabels, undefined)).toEqual({ '1': 'Segment 1' });
  });
});

describe('classification labels', () => {
  it('round-trip in the format training reads', () => {
    const blob = packClassification(['1.2.3'], { fracture: true, implant: false });

    expect(JSON.parse(new TextDecoder().decode(blob))).toEqual({
      format: 'cl2-classification/1', referencedSeriesInstanceUids: ['1.2.3'], labels: { fracture: true, implant: false },
    });
    expect(unpackClassification(blob).labels).toEqual({ fracture: true, implant: false });
  });

  it('refuse a blob of another format, naming it', () => {
    expect(() => unpackClassification(new TextEncoder().encode('{"format":"cl2-mask/1"}'))).toThrow(/format 'cl2-mask\/1'/);
  });
});
