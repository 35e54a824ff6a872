import { describe, expect, it } from 'vitest';
import { addedText, channelsInput, labelRows, labelsInput, labelsText, nextFreeValue, statusText, studyUidsInput } from '../src/labels/datasetForm';

describe('the label editor', () => {
  it('proposes the smallest voxel value no line uses', () => {
    expect(nextFreeValue([{ name: 'liver', value: '1' }, { name: 'lesion', value: '3' }])).toBe(2);
    expect(nextFreeValue([{ name: 'liver', value: '1' }, { name: 'lesion', value: '2' }])).toBe(3);
    expect(nextFreeValue([])).toBe(1);
  });

  it('proposes no value once all 255 are used', () => {
    const all = Array.from({ length: 255 }, (_, i) => ({ name: `l${i}`, value: String(i + 1) }));

    expect(nextFreeValue(all)).toBeNull();
  });

  it('sends segmentation labels with their values, names trimmed and nameless lines left out', () => {
    const rows = [{ name: ' liver ', value: '1' }, { name: '', value: '3' }, { name: 'liver lesion', value: ' 2 ' }];

    expect(labelsInput('SEGMENTATION', rows)).toEqual([{ name: 'liver', value: 1 }, { name: 'liver lesion', value: 2 }]);
  });

  it('sends classification labels without values, whatever the hidden value fields hold', () => {
    expect(labelsInput('CLASSIFICATION', [{ name: 'fracture', value: '1' }, { name: 'implant', value: '' }]))
      .toEqual([{ name: 'fracture', value: null }, { name: 'implant', value: null }]);
  });

  it('refuses a segmentation value that is not a whole number, saying what to type', () => {
    expect(() => labelsInput('SEGMENTATION', [{ name: 'liver', value: '1.5' }]))
      .toThrow("Give 'liver' a voxel value: a whole number from 1 to 255 (0 is background).");
    expect(() => labelsInput('SEGMENTATION', [{ name: 'liver', value: '' }])).toThrow(/whole number/);
  });

  it('leaves duplicates and out-of-range values to the API, whose message names them', () => {
    const rows = [{ name: 'liver', value: '1' }, { name: 'Liver', value: '300' }];

    expect(labelsInput('SEGMENTATION', rows)).toEqual([{ name: 'liver', value: 1 }, { name: 'Liver', value: 300 }]);
  });

  it('starts from the labels defined now, or one empty line with value 1', () => {
    expect(labelRows([])).toEqual([{ name: '', value: '1' }]);
    expect(labelRows([{ name: 'fracture', value: null }, { name: 'liver', value: 2 }]))
      .toEqual([{ name: 'fracture', value: '' }, { name: 'liver', value: '2' }]);
  });
});

describe('channels and studies typed in', () => {
  it('keeps the channels in the order given, from commas or lines', () => {
    expect(channelsInput(' T1, T1c ,\nT2,, FLAIR ')).toEqual(['T1', 'T1c', 'T2', 'FLAIR']);
    expect(channelsInput('   ')).toEqual([]);
  });

  it('reads Study Instance UIDs one per line, each once', () => {
    expect(studyUidsInput('1.2.3\n  1.2.4 \r\n\n1.2.3, 1.2.5')).toEqual(['1.2.3', '1.2.4', '1.2.5']);
  });
});

describe('a dataset in words', () => {
  it('names segmentation labels with their voxel values and classification labels alone', () => {
    expect(labelsText([{ name: 'liver', value: 1 }, { name: 'liver lesion', value: 2 }])).toBe('liver (1), liver lesion (2)');
    expect(labelsText([{ name: 'fracture', value: null }, { name: 'implant', value: null }])).toBe('fracture, implant');
  });

  it('counts cases in the order a case goes through its statuses', () => {
    expect(statusText([{ status: 'APPROVED', count: 2 }, { status: 'UNLABELLED', count: 3 }, { status: 'SUBMITTED', count: 1 }]))
      .toBe('3 unlabelled · 1 submitted · 2 approved');
    expect(statusText([])).toBe('no case yet');
  });

  it('says how many cases were added and how many studies the dataset held already', () => {
    expect(addedText(1, 1)).toBe('1 case added.');
    expect(addedText(3, 1)).toBe('1 case added; 2 of the studies were in the dataset already.');
    expect(addedText(2, 1)).toBe('1 case added; 1 of the studies was in the dataset already.');
  });
});
