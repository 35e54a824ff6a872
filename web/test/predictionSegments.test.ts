import { describe, expect, it } from 'vitest';
import { toSegments } from '../src/review/segmentation';

describe('toSegments', () => {
  it('renumbers a prediction to the segments being painted by their names, case and spaces ignored', () => {
    const predicted = { labels: Uint8Array.from([0, 1, 2, 2, 1, 0]), labelNames: { '1': 'Liver', '2': 'liver lesion ' } };
    const { voxels, leftOut } = toSegments(predicted, { '1': 'liver lesion', '2': 'liver' });
    expect([...voxels]).toEqual([0, 2, 1, 1, 2, 0]);
    expect(leftOut).toEqual([]);
  });

  it('leaves out the segments the dataset has no label for, and names them', () => {
    const predicted = { labels: Uint8Array.from([1, 2, 3]), labelNames: { '1': 'liver', '2': 'spleen', '3': 'kidney' } };
    const { voxels, leftOut } = toSegments(predicted, { '1': 'liver' });
    expect([...voxels]).toEqual([1, 0, 0]);
    expect(leftOut).toEqual(['spleen', 'kidney']);
  });
});
