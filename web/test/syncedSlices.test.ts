import { describe, expect, it } from 'vitest';
import { sortSeries, Tag, type DicomJson } from '../src/dicomweb/series';
import { sameOrientation, syncedSlice } from '../src/viewer/syncedSlices';

/** A series of `slices` axial slices from `z0`, `spacing` mm apart, on frame of reference `frame`. */
function series(slices: number, z0: number, spacing: number, frame = '1.9', orientation = [1, 0, 0, 0, 1, 0]): ReturnType<typeof sortSeries> {
  const instances: DicomJson[] = Array.from({ length: slices }, (_, i) => ({
    [Tag.SOPInstanceUID]: { vr: 'UI', Value: [`${frame}.${i}`] },
    [Tag.ImagePositionPatient]: { vr: 'DS', Value: [-100, -100, z0 + i * spacing] },
    [Tag.ImageOrientationPatient]: { vr: 'DS', Value: orientation },
    [Tag.FrameOfReferenceUID]: { vr: 'UI', Value: [frame] },
  }));
  return sortSeries(instances);
}

describe('scrolling series together', () => {
  it('shows the same slice of a series on the same grid', () => {
    expect(syncedSlice(series(20, 0, 5), 7, series(20, 0, 5))).toBe(7);
  });

  it('finds the slice at the same position in a series of another spacing and extent', () => {
    // Slice 7 of the first lies at z = 35; the second has slices at 10, 12.5, 15, … so z = 35 is its slice 10.
    expect(syncedSlice(series(20, 0, 5), 7, series(30, 10, 2.5))).toBe(10);
  });

  it('takes the nearest slice when none lies exactly there', () => {
    // z = 35 between 33 and 36 (slices 11 and 12 of 3 mm from 0): 36 is nearer.
    expect(syncedSlice(series(20, 0, 5), 7, series(20, 0, 3))).toBe(12);
  });

  it('keeps to the first or last slice for a position outside the other series', () => {
    expect(syncedSlice(series(20, 0, 5), 19, series(5, 0, 5))).toBe(4);
    expect(syncedSlice(series(20, 0, 5), 0, series(5, 50, 5))).toBe(0);
  });

  it('keeps the same relative depth for series on different frames of reference', () => {
    expect(syncedSlice(series(11, 0, 5, '1.9'), 5, series(21, 0, 5, '1.8'))).toBe(10);
  });
});

describe('which series scroll together', () => {
  it('moves series whose slices are parallel, whatever their rows and columns', () => {
    expect(sameOrientation(series(5, 0, 5), series(9, 0, 3))).toBe(true);
    expect(sameOrientation(series(5, 0, 5), series(9, 0, 3, '1.9', [0, 1, 0, 1, 0, 0]))).toBe(true);
  });

  it('leaves a series in another orientation where it is', () => {
    expect(sameOrientation(series(5, 0, 5), series(5, 0, 5, '1.9', [0, 1, 0, 0, 0, -1]))).toBe(false);
    // Tilted 5°: a slice of one is no slice of the other.
    const [c, s] = [Math.cos(Math.PI / 36), Math.sin(Math.PI / 36)];
    expect(sameOrientation(series(5, 0, 5), series(5, 0, 5, '1.9', [1, 0, 0, 0, c, s]))).toBe(false);
  });
});
