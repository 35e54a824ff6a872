import { describe, expect, it } from 'vitest';
import { sortSeries, Tag, type DicomJson } from '../src/dicomweb/series';
import { distanceToSegment, planeOf, referenceLine, slicesToReach, volumeReferenceLine, type ImagePlane, type SlicePlane, type Vector, type VolumeGrid } from '../src/viewer/referenceLines';

/** An axial image of 100×100 pixels of 2 mm at height z: x and y from -100 to 98 (pixel centres). */
const axial = (z: number, frame = '1.9'): ImagePlane => ({
  frameOfReferenceUid: frame, position: [-100, -100, z], orientation: [1, 0, 0, 0, 1, 0], pixelSpacing: [2, 2], rows: 100, columns: 100,
});

/** A sagittal image at x, 50 rows from z = 50 downwards and 100 columns from y = -100 forwards (2 mm pixels). */
const sagittal = (x: number, frame = '1.9'): ImagePlane => ({
  frameOfReferenceUid: frame, position: [x, -100, 50], orientation: [0, 1, 0, 0, 0, -1], pixelSpacing: [2, 2], rows: 50, columns: 100,
});

const close = (actual: Vector[] | undefined, expected: Vector[]) => {
  expect(actual).toBeDefined();
  // Ends in either order, compared to a millionth of a millimetre.
  const key = (point: Vector) => point.map((value) => value.toFixed(6)).join(' ');
  const sorted = (points: Vector[]) => [...points].sort((p, q) => key(p).localeCompare(key(q)));
  sorted(actual!).forEach((point, k) => point.forEach((value, axis) => expect(value).toBeCloseTo(sorted(expected)[k][axis], 6)));
};

describe('reference lines', () => {
  it('draws a sagittal plane across an axial image from its front edge to its back edge at the plane\'s x', () => {
    close(referenceLine(axial(20), sagittal(10)), [[10, -101, 20], [10, 99, 20]]);
  });

  it('draws an axial plane across a sagittal image at the plane\'s height, which moves with it', () => {
    close(referenceLine(sagittal(10), axial(20)), [[10, -101, 20], [10, 99, 20]]);
    close(referenceLine(sagittal(10), axial(-30)), [[10, -101, -30], [10, 99, -30]]);
  });

  it('has no line for parallel planes', () => {
    expect(referenceLine(axial(20), axial(30))).toBeUndefined();
    expect(referenceLine(sagittal(0), sagittal(0))).toBeUndefined();
  });

  it('has no line for a plane that passes beside the image', () => {
    // The sagittal image spans z from -49 to 51 (pixel edges); an axial plane at z = 60 misses it.
    expect(referenceLine(sagittal(10), axial(60))).toBeUndefined();
  });

  it('has no line between images on different frames of reference, or on none', () => {
    expect(referenceLine(axial(20, '1.9'), sagittal(10, '1.8'))).toBeUndefined();
    expect(referenceLine(axial(20, ''), sagittal(10, ''))).toBeUndefined();
  });

  it('ends an oblique plane\'s line on the image edges, on both planes', () => {
    // A plane tilted 30° about the y axis from sagittal, through (0, 0, 20).
    const [c, s] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
    const oblique: ImagePlane = { ...sagittal(0), position: [0, 0, 20], orientation: [0, 1, 0, s, 0, -c] };
    const line = referenceLine(axial(20), oblique)!;
    const normal = [-c, 0, -s]; // row × column of the oblique image
    for (const end of line) {
      expect(end[2]).toBeCloseTo(20, 9); // on the axial image
      expect(end[0] * normal[0] + end[1] * normal[1] + (end[2] - 20) * normal[2]).toBeCloseTo(0, 9); // on the oblique plane
    }
    expect(line.map((end) => end[1]).sort((p, q) => p - q)).toEqual([-101, 99]);
  });

  it('reads an image\'s plane from its series\' headers', () => {
    const instances: DicomJson[] = [0, 1].map((i) => ({
      [Tag.SOPInstanceUID]: { vr: 'UI', Value: [`1.2.${i}`] },
      [Tag.ImagePositionPatient]: { vr: 'DS', Value: [-100, -100, 5 * i] },
      [Tag.ImageOrientationPatient]: { vr: 'DS', Value: [1, 0, 0, 0, 1, 0] },
      [Tag.PixelSpacing]: { vr: 'DS', Value: [2, 2] },
      [Tag.Rows]: { vr: 'US', Value: [100] },
      [Tag.Columns]: { vr: 'US', Value: [100] },
      [Tag.FrameOfReferenceUID]: { vr: 'UI', Value: ['1.9'] },
    }));
    expect(planeOf(sortSeries(instances.reverse()), 1)).toEqual(axial(5));
    expect(planeOf(sortSeries(instances), 2)).toBeUndefined();
  });
});

/** An axial CT as one volume: 100×100 voxels of 2 mm from (-100, -100), 50 slices of 3 mm from z = -75 upwards. */
const ct: VolumeGrid = { origin: [-100, -100, -75], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], spacing: [2, 2, 3], dimensions: [100, 100, 50] };
// The three MPR views' planes, as their cameras give them (Cornerstone's view-plane normals point at the viewer).
const axialView = (z: number): SlicePlane => ({ point: [0, 0, z], normal: [0, 0, -1] });
const sagittalView = (x: number): SlicePlane => ({ point: [x, 0, 0], normal: [1, 0, 0] });
const coronalView = (y: number): SlicePlane => ({ point: [0, y, 0], normal: [0, -1, 0] });

describe('reference lines between the MPR views of a volume', () => {
  it('draws the sagittal view\'s plane across the axial view from the volume\'s front edge to its back edge', () => {
    close(volumeReferenceLine(axialView(0), sagittalView(10), ct), [[10, -101, 0], [10, 99, 0]]);
  });

  it('draws the axial view\'s plane across the sagittal and coronal views at its height, which moves as the axial view scrolls', () => {
    close(volumeReferenceLine(sagittalView(10), axialView(0), ct), [[10, -101, 0], [10, 99, 0]]);
    close(volumeReferenceLine(coronalView(-20), axialView(0), ct), [[-101, -20, 0], [99, -20, 0]]);
    close(volumeReferenceLine(coronalView(-20), axialView(30), ct), [[-101, -20, 30], [99, -20, 30]]);
  });

  it('spans the volume\'s whole height where a vertical plane cuts another: the slices\' outer edges', () => {
    // Slices at z = -75 … 72, each 3 mm thick: the volume spans z from -76.5 to 73.5.
    close(volumeReferenceLine(sagittalView(10), coronalView(-20), ct), [[10, -20, -76.5], [10, -20, 73.5]]);
  });

  it('has no line for parallel views, or for a plane outside the volume', () => {
    expect(volumeReferenceLine(axialView(0), axialView(30), ct)).toBeUndefined();
    expect(volumeReferenceLine(sagittalView(10), axialView(90), ct)).toBeUndefined();
  });

  it('clips to a volume acquired obliquely, along its own axes', () => {
    // The same grid turned 30° about z: its i axis along (cos, sin, 0), j along (-sin, cos, 0), origin at the voxel (0, 0, 0) centre.
    const [c, s] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
    const turned: VolumeGrid = { ...ct, origin: [0, 0, -75], direction: [c, s, 0, -s, c, 0, 0, 0, 1] };
    const line = volumeReferenceLine(axialView(0), { point: [0, 0, 0], normal: [-s, c, 0] }, turned)!; // the plane j = 0, through the grid's i axis
    // Along the i axis from index -0.5 to 99.5 at 2 mm: from -1 mm to 199 mm from the origin, on z = 0.
    close(line, [[-c, -s, 0], [199 * c, 199 * s, 0]]);
  });
});

describe('dragging an MPR reference line (crosshairs)', () => {
  it("counts the slices a view's plane moves to pass through the mouse, along its normal, in that axis' spacing", () => {
    expect(slicesToReach(sagittalView(10), [16, 40, -20], ct)).toBe(3); // 6 mm along x, 2 mm apart
    expect(slicesToReach({ point: [10, 0, 0], normal: [-1, 0, 0] }, [16, 40, -20], ct)).toBe(-3);
    expect(slicesToReach(axialView(0), [50, 50, 7], ct)).toBe(-2); // 7 mm up z, 3 mm apart, the normal pointing down: nearest -2
    expect(slicesToReach(axialView(0), [50, 50, 1.4], ct)).toBe(0);
  });

  it('measures how far a press is from a drawn line, up to its ends', () => {
    expect(distanceToSegment([5, 3], [0, 0], [10, 0])).toBe(3);
    expect(distanceToSegment([13, 4], [0, 0], [10, 0])).toBe(5);
    expect(distanceToSegment([1, 1], [0, 0], [0, 0])).toBeCloseTo(Math.SQRT2);
  });
});
