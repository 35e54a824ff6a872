import { describe, expect, it } from 'vitest';
import type { Grid } from '../src/dicomweb/series';
import { pointOnSlice, voxelAt } from '../src/labels/voxelIndex';

const axial: Grid = {
  rows: 32, columns: 40, slices: 20, spacing: [2.5, 0.8, 0.7], origin: [-10, -20, -100],
  orientation: [1, 0, 0, 0, 1, 0], frameOfReferenceUid: '1.2.3',
};

describe('the voxel of a label volume that holds a point', () => {
  it('counts columns along the row direction, rows along the column direction and slices along their normal', () => {
    // Column 5, row 3, slice 4 of an axial grid: x grows with the column, y with the row, z with the slice.
    expect(voxelAt(axial, [-10 + 5 * 0.7, -20 + 3 * 0.8, -100 + 4 * 2.5])).toEqual([4, 3, 5]);
  });

  it('takes the voxel whose centre is nearest, up to half a spacing away', () => {
    expect(voxelAt(axial, [-10 + 0.34, -20 + 0.39, -100 + 1.2])).toEqual([0, 0, 0]);
    expect(voxelAt(axial, [-10 + 0.36, -20 + 0.41, -100 + 1.3])).toEqual([1, 1, 1]);
  });

  it('follows an oblique orientation: a sagittal series rows run down (−z), columns run to the back (+y) and slices to the right (−x)', () => {
    const sagittal: Grid = { ...axial, orientation: [0, 1, 0, 0, 0, -1], origin: [0, 0, 0], spacing: [1, 2, 3] };

    expect(voxelAt(sagittal, [-7, 9, -4])).toEqual([7, 2, 3]);
  });

  it('answers none for a point outside the grid', () => {
    expect(voxelAt(axial, [-10, -20, -100 - 2.5])).toBeUndefined();
    expect(voxelAt(axial, [-10 + 40 * 0.7, -20, -100])).toBeUndefined();
  });
});

describe('the point of a slice where the MPR views meet', () => {
  it('is the centre of the slice image without a point to be near', () => {
    expect(pointOnSlice(axial, 4)).toEqual([-10 + 19.5 * 0.7, -20 + 15.5 * 0.8, -100 + 4 * 2.5].map((v) => expect.closeTo(v, 9)));
  });

  it('is the point of the slice plane nearest the given one: moved along the normal only', () => {
    expect(pointOnSlice(axial, 7, [3, 5, 40])).toEqual([3, 5, -100 + 7 * 2.5].map((v) => expect.closeTo(v, 9)));
  });

  it('lies in the voxel of that slice for an oblique orientation too', () => {
    const sagittal: Grid = { ...axial, orientation: [0, 1, 0, 0, 0, -1], origin: [0, 0, 0], spacing: [1, 2, 3] };

    expect(voxelAt(sagittal, pointOnSlice(sagittal, 6))).toEqual([6, 16, 20]);
    expect(voxelAt(sagittal, pointOnSlice(sagittal, 2, [-9, 9, -4]))).toEqual([2, 2, 3]);
  });
});
