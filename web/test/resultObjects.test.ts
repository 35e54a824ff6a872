import { describe, expect, it } from 'vitest';
import type { DicomJson } from '../src/dicomweb/series';
import { caseForCorrection } from '../src/review/correction';
import { reportLines } from '../src/review/report';
import { combineSegmentations, readSegmentation } from '../src/review/segmentation';

const sq = (...items: DicomJson[]) => ({ vr: 'SQ', Value: items });
const us = (...numbers: number[]) => ({ vr: 'US', Value: numbers });
const cs = (value: string) => ({ vr: 'CS', Value: [value] });
const ui = (value: string) => ({ vr: 'UI', Value: [value] });
const code = (value: string, meaning: string): DicomJson => ({ '00080100': { vr: 'SH', Value: [value] }, '00080104': { vr: 'LO', Value: [meaning] } });

/** A SEG of 3×3 frames (9 bits each, so frame 2 starts mid-byte) whose frames name their source image and segment. */
function segmentation(type: string, frames: { source: string; segment: number }[]): DicomJson {
  return {
    '00620001': cs(type),
    '00280010': us(3),
    '00280011': us(3),
    '00280008': { vr: 'IS', Value: [frames.length] },
    '0062000E': us(200),
    '00620002': sq({ '00620004': us(1), '00620005': { vr: 'LO', Value: ['liver'] } }, { '00620004': us(2), '00620005': { vr: 'LO', Value: ['liver lesion'] } }),
    '52009230': sq(...frames.map((frame) => ({
      '00089124': sq({ '00082112': sq({ '00081155': ui(frame.source) }) }),
      '0062000A': sq({ '0062000B': us(frame.segment) }),
    }))),
  };
}

/** Bit-packs 0/1 pixels least significant bit first, frames one after the other (PS3.5 8.1.1). */
function packBits(pixels: number[]): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(pixels.length / 8));
  pixels.forEach((bit, index) => { if (bit) bytes[index >> 3] |= 1 << (index & 7); });
  return bytes;
}

describe('a segmentation read onto the series shown', () => {
  it('places each bit-packed frame on the slice its derivation image names, valued by its segment', () => {
    const seg = segmentation('BINARY', [{ source: 'sop-c', segment: 1 }, { source: 'sop-a', segment: 2 }]);
    const pixels = packBits([1, 0, 0, 0, 1, 0, 0, 0, 1, /* frame 2, from bit 9 */ 0, 0, 1, 0, 0, 0, 1, 0, 0]);

    const { labels, labelNames } = readSegmentation(seg, pixels, ['sop-a', 'sop-b', 'sop-c'], 3, 3);

    expect(labelNames).toEqual({ 1: 'liver', 2: 'liver lesion' });
    expect([...labels.subarray(0, 9)]).toEqual([0, 0, 2, 0, 0, 0, 2, 0, 0]);
    expect([...labels.subarray(9, 18)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect([...labels.subarray(18, 27)]).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('counts a fractional pixel as inside from half the maximum fractional value', () => {
    const seg = segmentation('FRACTIONAL', [{ source: 'sop-a', segment: 1 }]);

    const { labels } = readSegmentation(seg, Uint8Array.from([0, 99, 100, 200, 0, 0, 0, 0, 0]), ['sop-a'], 3, 3);

    expect([...labels]).toEqual([0, 0, 1, 1, 0, 0, 0, 0, 0]);
  });

  it('refuses a frame on an image of another series, naming it', () => {
    const seg = segmentation('BINARY', [{ source: 'elsewhere', segment: 1 }]);

    expect(() => readSegmentation(seg, packBits(Array(9).fill(1)), ['sop-a'], 3, 3)).toThrow(/Frame 1 .* elsewhere/);
  });

  it('refuses frames of another size than the images', () => {
    expect(() => readSegmentation(segmentation('BINARY', []), new Uint8Array(0), ['sop-a'], 4, 4)).toThrow(/3×3, the series' images 4×4/);
  });
});

describe('a measurement report as text', () => {
  it('gives one line per measurement group with its identifier and measurements', () => {
    const item = (type: string, name: DicomJson, extra: DicomJson = {}): DicomJson => ({ '0040A040': cs(type), '0040A043': sq(name), ...extra });
    const report: DicomJson = {
      '0040A730': sq(item('CONTAINER', code('126010', 'Imaging Measurements'), {
        '0040A730': sq(item('CONTAINER', code('125007', 'Measurement Group'), {
          '0040A730': sq(
            item('TEXT', code('112039', 'Tracking Identifier'), { '0040A160': { vr: 'UT', Value: ['liver'] } }),
            item('CODE', code('121071', 'Finding'), { '0040A168': sq(code('10200004', 'Liver')) }),
            item('NUM', code('118565006', 'Volume'), { '0040A300': sq({ '0040A30A': { vr: 'DS', Value: [1234.56] }, '004008EA': sq(code('ml', 'milliliter')) }) }),
          ),
        })),
      })),
    };

    expect(reportLines(report)).toEqual(['liver: Volume 1234.6 ml']);
  });
});

describe('the case a correction goes to', () => {
  const feedback = { id: 'c2', currentRevision: 0, dataset: { id: 'feedback', name: 'liver feedback' } };
  const training = { id: 'c1', currentRevision: 3, dataset: { id: 'training', name: 'liver training' } };

  it('is the study case of the model feedback dataset when it has one', () => {
    expect(caseForCorrection([training, feedback], 'feedback')).toBe(feedback);
  });

  it('is the oldest case otherwise', () => {
    expect(caseForCorrection([training], 'feedback')).toBe(training);
  });

  it('is none for a study in no dataset', () => {
    expect(caseForCorrection([], null)).toBeUndefined();
  });
});

describe("a result's segmentations of one series combined into one labelmap", () => {
  const liver = { labels: Uint8Array.from([1, 1, 2, 0]), labelNames: { 1: 'liver', 2: 'liver lesion' }, source: 'cl2 liver-ct' };

  it('draws a lone segmentation exactly as written, its segment numbers and names kept', () => {
    const combined = combineSegmentations([{ ...liver, labels: Uint8Array.from([3, 0, 3, 0]), labelNames: { 3: 'spleen' } }], 4);

    expect(combined).toEqual({ labels: Uint8Array.from([3, 0, 3, 0]), labelNames: { 3: 'spleen' }, overlapping: 0 });
  });

  it("numbers a later segmentation's segments after the earlier ones' and qualifies a name already taken with its source", () => {
    const second = { labels: Uint8Array.from([0, 0, 0, 1]), labelNames: { 1: 'Liver' }, source: 'cl2 liver-ct v2' };
    const third = { labels: Uint8Array.from([0, 0, 0, 0]), labelNames: { 1: 'liver', 2: 'kidney' }, source: 'cl2 liver-ct v2' };

    const combined = combineSegmentations([liver, second, third], 4);

    expect(combined.labelNames).toEqual({ 1: 'liver', 2: 'liver lesion', 3: 'Liver (cl2 liver-ct v2)', 4: 'liver (cl2 liver-ct v2 2)', 5: 'kidney' });
    expect([...combined.labels]).toEqual([1, 1, 2, 3]);
    expect(combined.overlapping).toBe(0);
  });

  it("keeps the later segmentation's segment where two claim a voxel, and counts those voxels", () => {
    const second = { labels: Uint8Array.from([0, 1, 1, 0]), labelNames: { 1: 'tumour' }, source: 'SEG 2' };

    const combined = combineSegmentations([liver, second], 4);

    expect([...combined.labels]).toEqual([1, 3, 3, 0]);
    expect(combined.overlapping).toBe(2);
  });

  it('refuses segmentations of more than 255 segments together', () => {
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, index) => [String(index + 1), `segment ${index + 1}`]));
    const one = { labels: new Uint8Array(4), labelNames: many, source: 'SEG 1' };

    expect(() => combineSegmentations([one, { ...one, source: 'SEG 2' }], 4)).toThrow(/more than 255 segments/);
  });
});
