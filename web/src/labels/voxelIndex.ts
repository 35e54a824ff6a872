// Which voxel of a series' label volume (labelVolume.ts: slice, row, column on the series' grid) holds a point of the
// patient coordinate system: how a view of the volume, at any orientation, names the slice of the stack it crosses.

import { normalOf, type Grid } from '../dicomweb/series';

export type Voxel = [slice: number, row: number, column: number];

/**
 * The voxel whose centre is nearest `point` (mm), or none when the point lies outside the grid. Slice 0 is the series'
 * first image (sorted along the normal of its rows and columns, as sortSeries does); a pixel's centre is at its
 * Image Position plus column·column spacing along the row direction and row·row spacing along the column direction.
 */
export function voxelAt(grid: Grid, point: [number, number, number]): Voxel | undefined {
  const row = grid.orientation.slice(0, 3) as [number, number, number];
  const column = grid.orientation.slice(3, 6) as [number, number, number];
  const normal = normalOf(grid.orientation);
  const offset = [0, 1, 2].map((axis) => point[axis] - grid.origin[axis]);
  const along = (direction: number[], spacing: number) =>
    Math.round(offset.reduce((sum, value, axis) => sum + value * direction[axis], 0) / Math.hypot(...direction) / spacing) || 0;
  const voxel: Voxel = [along(normal, grid.spacing[0]), along(column, grid.spacing[1]), along(row, grid.spacing[2])];
  const inside = voxel[0] >= 0 && voxel[0] < grid.slices && voxel[1] >= 0 && voxel[1] < grid.rows && voxel[2] >= 0 && voxel[2] < grid.columns;
  return inside ? voxel : undefined;
}

/**
 * The point of slice `slice`'s plane nearest `near` (mm), or, without one, the centre of that slice's image: where the
 * MPR views are put so that the view along the series' normal shows the slice a stack showed.
 */
export function pointOnSlice(grid: Grid, slice: number, near?: [number, number, number]): [number, number, number] {
  const row = grid.orientation.slice(0, 3);
  const column = grid.orientation.slice(3, 6);
  const normal = normalOf(grid.orientation);
  const length = Math.hypot(...normal);
  const from = near ?? [0, 1, 2].map((axis) => grid.origin[axis]
    + ((grid.columns - 1) / 2) * grid.spacing[2] * row[axis] + ((grid.rows - 1) / 2) * grid.spacing[1] * column[axis]);
  // How far `from` lies above the slice's plane, along the unit normal.
  const above = [0, 1, 2].reduce((sum, axis) => sum + (from[axis] - grid.origin[axis]) * normal[axis], 0) / length - slice * grid.spacing[0];
  return [0, 1, 2].map((axis) => from[axis] - (above * normal[axis]) / length) as [number, number, number];
}
