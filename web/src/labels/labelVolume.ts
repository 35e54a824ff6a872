// The segmentation label format training reads (docs/training.md, "Mask format"): a tar of labels.json (the grid and the
// label names) and labels.u8 (one byte per voxel, (slice, row, column) order, on exactly the series' grid).

import type { Grid } from '../dicomweb/series';
import { tar, untar } from './tar';

export const headerFileName = 'labels.json';
export const dataFileName = 'labels.u8';

export interface LabelVolumeHeader {
  shape: [number, number, number];
  spacing: [number, number, number];
  origin: [number, number, number];
  orientation: [number, number, number, number, number, number];
  frameOfReferenceUid: string;
  referencedSeriesInstanceUids: string[];
  /** Voxel value (as text) → name; 0 is background and is not listed. */
  labelNames: Record<string, string>;
  dataFile: string;
}

export function headerFor(grid: Grid, seriesInstanceUids: string[], labelNames: Record<string, string>): LabelVolumeHeader {
  return {
    shape: [grid.slices, grid.rows, grid.columns],
    spacing: grid.spacing,
    origin: grid.origin,
    orientation: grid.orientation,
    frameOfReferenceUid: grid.frameOfReferenceUid,
    referencedSeriesInstanceUids: seriesInstanceUids,
    labelNames,
    dataFile: dataFileName,
  };
}

export function voxelCount(header: LabelVolumeHeader): number {
  return header.shape[0] * header.shape[1] * header.shape[2];
}

/** The blob a SEGMENTATION label revision names. */
export function packMask(header: LabelVolumeHeader, labels: Uint8Array): Uint8Array {
  if (labels.length !== voxelCount(header)) {
    throw new Error(`The mask has ${labels.length} voxels; its grid ${header.shape.join('×')} needs ${voxelCount(header)}.`);
  }
  return tar([
    { name: headerFileName, data: new TextEncoder().encode(JSON.stringify(header, null, 2)) },
    { name: header.dataFile, data: labels },
  ]);
}

export function unpackMask(archive: Uint8Array): { header: LabelVolumeHeader; labels: Uint8Array } {
  const files = untar(archive);
  const json = files.get(headerFileName);
  if (!json) throw new Error(`The label blob holds no ${headerFileName}; it is not a mask in the format training reads.`);
  const header = JSON.parse(new TextDecoder().decode(json)) as LabelVolumeHeader;
  const labels = files.get(header.dataFile);
  if (!labels || labels.length !== voxelCount(header)) {
    throw new Error(`The label blob's ${header.dataFile} is missing or does not match its grid ${header.shape.join('×')}.`);
  }
  return { header, labels };
}

/** How many voxels carry each label value (0 left out): what a saved revision holds, at a glance. */
export function labelCounts(labels: Uint8Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (const value of labels) {
    if (value !== 0) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return counts;
}
