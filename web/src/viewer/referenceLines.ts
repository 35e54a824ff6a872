// Reference lines: where the slice plane shown in one viewport cuts the image shown in another (an MR study's sagittal
// series drawn across its axial one, and the other way round). Computed from DICOM geometry alone — Image Position and
// Image Orientation (Patient), Pixel Spacing, Rows, Columns (PS3.3 C.7.6.2) — so it holds for series of any spacing,
// extent or slice order; in the MPR layout, from the views' planes through one volume (`volumeReferenceLine`). Pure, so
// the viewer and its tests share it.

import { normalOf, numbers, Tag, type SortedSeries } from '../dicomweb/series';

export type Vector = [number, number, number];

/** One image's plane in the patient coordinate system (mm), as its header gives it. */
export interface ImagePlane {
  frameOfReferenceUid: string;
  /** Image Position (Patient): the centre of the first pixel sent (top left). */
  position: Vector;
  /** Image Orientation (Patient): the row direction (column index increasing), then the column direction (row index increasing). */
  orientation: [number, number, number, number, number, number];
  /** Pixel Spacing: between rows, then between columns. */
  pixelSpacing: [number, number];
  rows: number;
  columns: number;
}

/** A reference line: its two ends in the patient coordinate system, on the edges of the image it crosses. */
export type Segment = [Vector, Vector];

/** The plane of slice `index` of a sorted series, or none when its header lacks the geometry. */
export function planeOf(series: SortedSeries, index: number): ImagePlane | undefined {
  const instance = series.instances[index];
  if (!instance) return undefined;
  const position = numbers(instance, Tag.ImagePositionPatient);
  const orientation = numbers(instance, Tag.ImageOrientationPatient);
  const spacing = numbers(instance, Tag.PixelSpacing);
  if (position.length !== 3 || orientation.length !== 6 || spacing.length !== 2) return undefined;
  return {
    frameOfReferenceUid: series.grid.frameOfReferenceUid,
    position: position as Vector,
    orientation: orientation as ImagePlane['orientation'],
    pixelSpacing: spacing as [number, number],
    rows: series.grid.rows,
    columns: series.grid.columns,
  };
}

const dot = (a: Vector, b: Vector) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const unit = (v: Vector): Vector => {
  const length = Math.hypot(...v);
  return length > 0 ? [v[0] / length, v[1] / length, v[2] / length] : v;
};

/**
 * Planes closer to parallel than this (the sine of the angle between them) have no reference line: their line of
 * intersection would lie far outside the image, or nowhere.
 */
const parallel = 1e-3;

/**
 * The segment where the plane of `other` cuts the image `shown`, clipped to the image's extent (its pixels' outer
 * edges); none when the two are on different (or unknown) frames of reference, when the planes are parallel, or when
 * the cut misses the image.
 */
export function referenceLine(shown: ImagePlane, other: ImagePlane): Segment | undefined {
  if (!shown.frameOfReferenceUid || shown.frameOfReferenceUid !== other.frameOfReferenceUid) return undefined;
  const row = unit(shown.orientation.slice(0, 3) as Vector);
  const column = unit(shown.orientation.slice(3, 6) as Vector);
  const normal = unit(normalOf(other.orientation));
  const [rowSpacing, columnSpacing] = shown.pixelSpacing;
  // A point of the shown image at column j, row i is position + j·columnSpacing·row + i·rowSpacing·column; its signed
  // distance from the other plane is a·j + b·i + d, zero along the reference line.
  const a = columnSpacing * dot(normal, row);
  const b = rowSpacing * dot(normal, column);
  const offset: Vector = [shown.position[0] - other.position[0], shown.position[1] - other.position[1], shown.position[2] - other.position[2]];
  const d = dot(normal, offset);
  if (Math.hypot(dot(normal, row), dot(normal, column)) < parallel) return undefined;
  const distance = ([j, i]: [number, number]) => a * j + b * i + d;
  const corners: [number, number][] = [
    [-0.5, -0.5], [shown.columns - 0.5, -0.5], [shown.columns - 0.5, shown.rows - 0.5], [-0.5, shown.rows - 0.5],
  ];
  const ends: [number, number][] = [];
  const add = (point: [number, number]) => {
    if (!ends.some((end) => Math.abs(end[0] - point[0]) < 1e-9 && Math.abs(end[1] - point[1]) < 1e-9)) ends.push(point);
  };
  corners.forEach((from, k) => {
    const to = corners[(k + 1) % corners.length];
    const [df, dt] = [distance(from), distance(to)];
    if (df === 0) add(from);
    else if (df * dt < 0) {
      const t = df / (df - dt);
      add([from[0] + t * (to[0] - from[0]), from[1] + t * (to[1] - from[1])]);
    }
  });
  if (ends.length < 2) return undefined;
  const patient = ([j, i]: [number, number]): Vector => [0, 1, 2].map((axis) =>
    shown.position[axis] + j * columnSpacing * row[axis] + i * rowSpacing * column[axis]) as Vector;
  return [patient(ends[0]), patient(ends[1])];
}

/** A slice plane of a volume view: a point on it and its normal (a volume viewport's camera: focal point, view-plane normal). */
export interface SlicePlane {
  point: Vector;
  normal: Vector;
}

/**
 * A volume's voxel grid in the patient coordinate system, as Cornerstone's image volume holds it: the centre of voxel
 * (0, 0, 0), the unit directions of its i, j and k axes (one after the other), the spacing along each, the voxel counts.
 */
export interface VolumeGrid {
  origin: Vector;
  direction: ArrayLike<number>;
  spacing: Vector;
  dimensions: Vector;
}

const cross = (a: Vector, b: Vector): Vector => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/**
 * In a multiplanar view of a volume, where the plane shown in another view cuts the plane shown here: the line both
 * planes share, clipped to the volume (its voxels' outer edges) — which, as the line lies in the shown plane, is the
 * shown image's extent whatever the views' orientations. None when the planes are parallel or the line misses the volume.
 */
export function volumeReferenceLine(shown: SlicePlane, other: SlicePlane, volume: VolumeGrid): Segment | undefined {
  const [n1, n2] = [unit(shown.normal), unit(other.normal)];
  const along = cross(n1, n2);
  const squared = dot(along, along);
  if (Math.sqrt(squared) < parallel) return undefined;
  // The point of the line nearest the origin: x = (h1·(n2 × d) + h2·(d × n1)) / |d|², with h the planes' offsets.
  const [h1, h2] = [dot(n1, shown.point), dot(n2, other.point)];
  const [a, b] = [cross(n2, along), cross(along, n1)];
  const start = [0, 1, 2].map((k) => (h1 * a[k] + h2 * b[k]) / squared) as Vector;
  // Clip start + t·along to each voxel axis' extent, -0.5 to count - 0.5 in index units (Liang–Barsky).
  let [from, to] = [-Infinity, Infinity];
  for (let axis = 0; axis < 3; axis++) {
    const direction = [0, 1, 2].map((k) => volume.direction[3 * axis + k]) as Vector;
    const index = dot(direction, [start[0] - volume.origin[0], start[1] - volume.origin[1], start[2] - volume.origin[2]]) / volume.spacing[axis];
    const step = dot(direction, along) / volume.spacing[axis];
    const [low, high] = [-0.5, volume.dimensions[axis] - 0.5];
    if (Math.abs(step) < 1e-12) {
      if (index < low || index > high) return undefined;
      continue;
    }
    const [t1, t2] = [(low - index) / step, (high - index) / step];
    from = Math.max(from, Math.min(t1, t2));
    to = Math.min(to, Math.max(t1, t2));
  }
  if (!(from < to)) return undefined;
  const at = (t: number) => [0, 1, 2].map((k) => start[k] + t * along[k]) as Vector;
  return [at(from), at(to)];
}

/**
 * How many of the volume's slices `plane` must move along its normal to pass (nearest) through `point`: positive along
 * the normal, as Cornerstone's scroll counts them. The slices are the voxels along the volume axis nearest the normal
 * (the MPR views are orthographic: each normal is one of the axes).
 */
export function slicesToReach(plane: SlicePlane, point: Vector, volume: VolumeGrid): number {
  const normal = unit(plane.normal);
  const alignment = [0, 1, 2].map((axis) => Math.abs(dot(normal, [0, 1, 2].map((k) => volume.direction[3 * axis + k]) as Vector)));
  const axis = alignment.indexOf(Math.max(...alignment));
  const offset = dot(normal, [point[0] - plane.point[0], point[1] - plane.point[1], point[2] - plane.point[2]]);
  return Math.round(offset / volume.spacing[axis]) || 0; // || 0: no -0
}

/** The distance from `point` to the segment from `a` to `b`, all in the same 2-D (canvas) coordinates. */
export function distanceToSegment(point: [number, number], a: [number, number], b: [number, number]): number {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const squared = dx * dx + dy * dy;
  const t = squared > 0 ? Math.max(0, Math.min(1, ((point[0] - a[0]) * dx + (point[1] - a[1]) * dy) / squared)) : 0;
  return Math.hypot(point[0] - (a[0] + t * dx), point[1] - (a[1] + t * dy));
}
