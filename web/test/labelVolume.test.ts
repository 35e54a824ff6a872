import { describe, expect, it } from 'vitest';
import type { Grid } from '../src/dicomweb/series';
import { headerFor, labelCounts, packMask, unpackMask } from '../src/labels/labelVolume';

const grid: Grid = {
  rows: 2, columns: 3, slices: 2, spacing: [2.5, 0.7, 0.8], origin: [-10, -20, 5],
  orientation: [1, 0, 0, 0, 1, 0], frameOfReferenceUid: '1.2.3',
};

describe('label volume', () => {
  it('packs the header training reads, with the series grid in slice, row, column order', () => {
    const labels = Uint8Array.from([0, 1, 1, 0, 0, 0, 2, 0, 0, 0, 0, 1]);

    const { header, labels: read } = unpackMask(packMask(headerFor(grid, ['1.2.3.4'], { '1': 'liver', '2': 'lesion' }), labels));

    expect(header).toEqual({
      shape: [2, 2, 3], spacing: [2.5, 0.7, 0.8], origin: [-10, -20, 5], orientation: [1, 0, 0, 0, 1, 0],
      frameOfReferenceUid: '1.2.3', referencedSeriesInstanceUids: ['1.2.3.4'], labelNames: { '1': 'liver', '2': 'lesion' },
      dataFile: 'labels.u8',
    });
    expect(read).toEqual(labels);
  });

  it('refuses voxels that do not fill the grid', () => {
    expect(() => packMask(headerFor(grid, ['1.2.3.4'], {}), new Uint8Array(5))).toThrow(/needs 12/);
  });

  it('counts the labelled voxels per value without the background', () => {
    expect([...labelCounts(Uint8Array.from([0, 1, 1, 2, 0]))]).toEqual([[1, 2], [2, 1]]);
  });
});
