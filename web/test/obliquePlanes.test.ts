import { describe, expect, it } from 'vitest';
import { angleAbout, cameraThrough, crossingPoint, isOblique, turnCamera, turnVector, type PlaneCamera } from '../src/viewer/obliquePlanes';
import type { Vector } from '../src/viewer/referenceLines';

const close = (vector: Vector) => vector.map((value) => expect.closeTo(value, 9));
const degrees = (angle: number) => (angle * Math.PI) / 180;

describe('the point where three MPR planes meet', () => {
  it('is the point each plane passes through', () => {
    const point = crossingPoint([
      { point: [0, 0, 12], normal: [0, 0, 1] }, // axial at z 12
      { point: [-5, 40, 0], normal: [1, 0, 0] }, // sagittal at x −5
      { point: [3, 7, 9], normal: [0, 1, 0] }, // coronal at y 7
    ]);

    expect(point).toEqual(close([-5, 7, 12]));
  });

  it('holds for oblique planes', () => {
    const s = Math.SQRT1_2;
    const point = crossingPoint([
      { point: [1, 2, 3], normal: [0, 0, 1] },
      { point: [1, 2, 3], normal: [s, s, 0] },
      { point: [1, 2, 3], normal: [-s, s, 0] },
    ]);

    expect(point).toEqual(close([1, 2, 3]));
  });

  it('is none when two planes are parallel', () => {
    expect(crossingPoint([
      { point: [0, 0, 0], normal: [0, 0, 1] },
      { point: [0, 0, 5], normal: [0, 0, -1] },
      { point: [0, 0, 0], normal: [1, 0, 0] },
    ])).toBeUndefined();
  });
});

describe('turning a view plane about an axis through a point', () => {
  it('turns a vector anticlockwise about the axis by the right-hand rule', () => {
    expect(turnVector([1, 0, 0], [0, 0, 1], degrees(90))).toEqual(close([0, 1, 0]));
    expect(turnVector([1, 0, 0], [0, 0, 2], degrees(-90))).toEqual(close([0, -1, 0]));
    expect(turnVector([0, 0, 3], [0, 0, 1], degrees(33))).toEqual(close([0, 0, 3])); // along the axis: unchanged
  });

  it('turns the sagittal camera about the axial normal through the crossing point, keeping that point on its plane', () => {
    // A sagittal view (normal +x) of the plane x = 10, its camera 100 mm out; the views meet at (10, 20, 30).
    const sagittal: PlaneCamera = { focalPoint: [10, 0, 0], position: [110, 0, 0], viewPlaneNormal: [1, 0, 0], viewUp: [0, 0, 1] };
    const centre: Vector = [10, 20, 30];

    const turned = turnCamera(sagittal, [0, 0, 1], centre, degrees(30));

    expect(turned.viewPlaneNormal).toEqual(close([Math.cos(degrees(30)), Math.sin(degrees(30)), 0]));
    expect(turned.viewUp).toEqual(close([0, 0, 1]));
    // The centre is still on the plane, and the camera still 100 mm out along the normal from its focal point.
    const n = turned.viewPlaneNormal;
    const onPlane = [0, 1, 2].reduce((sum, k) => sum + n[k] * (centre[k] - turned.focalPoint[k]), 0);
    expect(onPlane).toBeCloseTo(0, 9);
    expect(turned.position.map((value, k) => value - turned.focalPoint[k])).toEqual(close([100 * n[0], 100 * n[1], 100 * n[2]]));
  });

  it('comes back to the camera it started from when turned back', () => {
    const camera: PlaneCamera = { focalPoint: [1, 2, 3], position: [1, 52, 3], viewPlaneNormal: [0, 1, 0], viewUp: [0, 0, -1] };
    const there = turnCamera(camera, [1, 1, 0], [4, 2, -1], degrees(47));
    const back = turnCamera(there, [1, 1, 0], [4, 2, -1], degrees(-47));

    expect(back.focalPoint).toEqual(close(camera.focalPoint));
    expect(back.position).toEqual(close(camera.position));
    expect(back.viewPlaneNormal).toEqual(close(camera.viewPlaneNormal));
    expect(back.viewUp).toEqual(close(camera.viewUp));
  });
});

describe('the angle a drag turns through about the crossing point', () => {
  it('is signed by the right-hand rule about the view normal', () => {
    expect(angleAbout([1, 1, 0], [2, 1, 0], [1, 2, 0], [0, 0, 1])).toBeCloseTo(degrees(90), 9);
    expect(angleAbout([1, 1, 0], [2, 1, 0], [1, 2, 0], [0, 0, -1])).toBeCloseTo(degrees(-90), 9);
    expect(angleAbout([0, 0, 0], [1, 0, 0], [1, -1, 0], [0, 0, 1])).toBeCloseTo(degrees(-45), 9);
  });

  it('is nothing for a drag that starts on the crossing point', () => {
    expect(angleAbout([1, 1, 0], [1, 1, 0], [5, 2, 0], [0, 0, 1])).toBe(0);
  });
});

describe('resetting a turned plane', () => {
  it('moves the camera along its normal only, until its plane passes through the point', () => {
    const axial: PlaneCamera = { focalPoint: [0, 0, 10], position: [0, 0, 110], viewPlaneNormal: [0, 0, 1], viewUp: [0, -1, 0] };

    const moved = cameraThrough(axial, [5, 6, -4]);

    expect(moved.focalPoint).toEqual(close([0, 0, -4]));
    expect(moved.position).toEqual(close([0, 0, 96]));
    expect(moved.viewUp).toEqual([0, -1, 0]);
  });

  it('calls a view oblique once its normal has turned by more than a tenth of a degree', () => {
    expect(isOblique([0, 0, 1], [0, 0, 1])).toBe(false);
    expect(isOblique(turnVector([0, 0, 1], [1, 0, 0], degrees(0.05)), [0, 0, 1])).toBe(false);
    expect(isOblique(turnVector([0, 0, 1], [1, 0, 0], degrees(1)), [0, 0, 1])).toBe(true);
  });
});
