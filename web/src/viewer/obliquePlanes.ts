// Oblique MPR planes: the geometry of turning the views' planes about the point where the three meet, as a crosshair's
// handle is dragged round in one view (referenceLineOverlay.ts). A view's plane is its camera (Cornerstone's: focal
// point on the plane, position along the view-plane normal, view-up in the plane), so turning a camera turns the
// plane it shows, and the reference lines, which come from the cameras, follow. Pure, so its tests need no browser.

import type { SlicePlane, Vector } from './referenceLines';

export interface PlaneCamera {
  focalPoint: Vector;
  position: Vector;
  viewPlaneNormal: Vector;
  viewUp: Vector;
}

const dot = (a: Vector, b: Vector) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vector, b: Vector): Vector => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const plus = (a: Vector, b: Vector): Vector => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const minus = (a: Vector, b: Vector): Vector => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const times = (a: Vector, k: number): Vector => [a[0] * k, a[1] * k, a[2] * k];
const unit = (v: Vector): Vector => times(v, 1 / (Math.hypot(...v) || 1));

/** The point the three planes share, or none when two of them are (nearly) parallel. */
export function crossingPoint([p1, p2, p3]: [SlicePlane, SlicePlane, SlicePlane]): Vector | undefined {
  const [n1, n2, n3] = [p1, p2, p3].map((plane) => unit(plane.normal));
  const determinant = dot(n1, cross(n2, n3));
  if (Math.abs(determinant) < 1e-6) return undefined;
  const [h1, h2, h3] = [dot(n1, p1.point), dot(n2, p2.point), dot(n3, p3.point)];
  return times(plus(plus(times(cross(n2, n3), h1), times(cross(n3, n1), h2)), times(cross(n1, n2), h3)), 1 / determinant);
}

/** `vector` turned by `angle` (radians, anticlockwise looking against `axis`: the right-hand rule) about `axis`. */
export function turnVector(vector: Vector, axis: Vector, angle: number): Vector {
  const k = unit(axis);
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  // Rodrigues' rotation formula.
  return plus(plus(times(vector, cos), times(cross(k, vector), sin)), times(k, dot(k, vector) * (1 - cos)));
}

/** A camera turned by `angle` about the line through `centre` along `axis`: its plane turns with it, through `centre` still if it was. */
export function turnCamera(camera: PlaneCamera, axis: Vector, centre: Vector, angle: number): PlaneCamera {
  const about = (point: Vector) => plus(centre, turnVector(minus(point, centre), axis, angle));
  return {
    focalPoint: about(camera.focalPoint),
    position: about(camera.position),
    viewPlaneNormal: turnVector(camera.viewPlaneNormal, axis, angle),
    viewUp: turnVector(camera.viewUp, axis, angle),
  };
}

/** The signed angle (radians, right-hand rule about `axis`) from `from` to `to` as seen from `centre`; 0 when either is at it. */
export function angleAbout(centre: Vector, from: Vector, to: Vector, axis: Vector): number {
  const [a, b] = [minus(from, centre), minus(to, centre)];
  if (Math.hypot(...a) < 1e-9 || Math.hypot(...b) < 1e-9) return 0;
  return Math.atan2(dot(unit(axis), cross(a, b)), dot(a, b));
}

/** `camera` moved along its normal so that its plane passes through `point`: how Reset puts an orthogonal plane back where the views meet. */
export function cameraThrough(camera: PlaneCamera, point: Vector): PlaneCamera {
  const normal = unit(camera.viewPlaneNormal);
  const shift = times(normal, dot(normal, minus(point, camera.focalPoint)));
  return { ...camera, focalPoint: plus(camera.focalPoint, shift), position: plus(camera.position, shift) };
}

/** Whether a view's normal is turned from the one it opened with by more than a tenth of a degree. */
export function isOblique(normal: Vector, opened: Vector): boolean {
  return dot(unit(normal), unit(opened)) < Math.cos((0.1 * Math.PI) / 180);
}
