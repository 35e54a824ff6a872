// Scrolling series side by side together: the slice of another series that shows the same place in the patient as the
// slice shown in one series (a brain MRI's T1, T1c, T2 and FLAIR: one slice position for all four). Pure, so the viewer
// and its tests share it.

import { normalOf, numbers, Tag, type SortedSeries } from '../dicomweb/series';

type Vector = [number, number, number];

const positionOf = (series: SortedSeries, index: number): Vector | undefined => {
  const position = numbers(series.instances[index], Tag.ImagePositionPatient);
  return position.length === 3 ? (position as Vector) : undefined;
};

/**
 * The slice of `target` nearest to slice `index` of `source`: the one whose plane passes closest to that slice's
 * Image Position (Patient), so series of other spacing, extent or orientation line up by anatomy. Series on different
 * frames of reference (or without positions) share no coordinates; they keep the same relative depth instead.
 */
export function syncedSlice(source: SortedSeries, index: number, target: SortedSeries): number {
  const slices = target.instances.length;
  const point = positionOf(source, index);
  const sameFrame = source.grid.frameOfReferenceUid !== '' && source.grid.frameOfReferenceUid === target.grid.frameOfReferenceUid;
  if (!point || !sameFrame || target.instances.some((_, i) => !positionOf(target, i))) {
    const depth = source.instances.length > 1 ? index / (source.instances.length - 1) : 0.5;
    return Math.round(depth * (slices - 1));
  }
  const normal = normalOf(target.grid.orientation);
  const distance = (i: number) => {
    const plane = positionOf(target, i)!;
    return Math.abs((point[0] - plane[0]) * normal[0] + (point[1] - plane[1]) * normal[1] + (point[2] - plane[2]) * normal[2]);
  };
  let nearest = 0;
  for (let i = 1; i < slices; i++) if (distance(i) < distance(nearest)) nearest = i;
  return nearest;
}

/**
 * Whether two series' slices are parallel (normals within about a degree): only then does one's slice have a counterpart
 * in the other. A sagittal series beside an axial one keeps its slice when the axial scrolls; its reference line moves.
 */
export function sameOrientation(a: SortedSeries, b: SortedSeries): boolean {
  const [na, nb] = [normalOf(a.grid.orientation), normalOf(b.grid.orientation)];
  const cosine = Math.abs(na[0] * nb[0] + na[1] * nb[1] + na[2] * nb[2]) / (Math.hypot(...na) * Math.hypot(...nb) || 1);
  return cosine > Math.cos(Math.PI / 180);
}
