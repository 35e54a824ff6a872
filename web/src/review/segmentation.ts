// A DICOM Segmentation (PS3.3 A.51) read into a labelmap on the series it segments: the segments' numbers and labels,
// and each frame placed on the source slice its Derivation Image names. BINARY frames are bit-packed one after the other
// (PS3.5 8.1.1: a frame may start mid-byte); FRACTIONAL frames are one byte per pixel, inside from half the maximum.

import { numbers, text, values, type DicomJson } from '../dicomweb/series';

export const SegTag = {
  SegmentationType: '00620001',
  SegmentSequence: '00620002',
  SegmentNumber: '00620004',
  SegmentLabel: '00620005',
  SegmentIdentificationSequence: '0062000A',
  ReferencedSegmentNumber: '0062000B',
  MaximumFractionalValue: '0062000E',
  PerFrameFunctionalGroupsSequence: '52009230',
  SharedFunctionalGroupsSequence: '52009229',
  DerivationImageSequence: '00089124',
  SourceImageSequence: '00082112',
  ReferencedSOPInstanceUID: '00081155',
  NumberOfFrames: '00280008',
  PixelData: '7FE00010',
} as const;

export interface SegmentationLabels {
  /** One byte per voxel, slice 0 = the series' first sorted instance; the value is the segment number. */
  labels: Uint8Array;
  /** Segment number (as text) → label, as the label format names them. */
  labelNames: Record<string, string>;
}

function items(item: DicomJson | undefined, tag: string): DicomJson[] {
  return item ? (values(item, tag) as DicomJson[]) : [];
}

/** The frame's attribute from its per-frame item, else from the shared functional groups. */
function frameItem(perFrame: DicomJson | undefined, shared: DicomJson | undefined, tag: string): DicomJson | undefined {
  return items(perFrame, tag)[0] ?? items(shared, tag)[0];
}

/** A segmentation's segments: number (as text) → label, as the label format names them. */
export function segmentLabels(seg: DicomJson): Record<string, string> {
  const labelNames: Record<string, string> = {};
  for (const segment of items(seg, SegTag.SegmentSequence)) {
    labelNames[String(numbers(segment, SegTag.SegmentNumber)[0])] = text(segment, SegTag.SegmentLabel) || `Segment ${numbers(segment, SegTag.SegmentNumber)[0]}`;
  }
  return labelNames;
}

/**
 * A segmentation's labels renumbered to the segments being painted, matched by name (case and surrounding spaces
 * ignored): the voxels, and the names of its segments that match none (left out).
 */
export function toSegments(predicted: SegmentationLabels, names: Record<string, string>): { voxels: Uint8Array; leftOut: string[] } {
  const key = (name: string) => name.trim().toLowerCase();
  const byName = new Map(Object.entries(names).map(([value, name]) => [key(name), Number(value)]));
  const map = new Uint8Array(256);
  const leftOut: string[] = [];
  for (const [value, name] of Object.entries(predicted.labelNames)) {
    const target = byName.get(key(name));
    if (target === undefined) leftOut.push(name);
    else map[Number(value)] = target;
  }
  return { voxels: predicted.labels.map((value) => map[value]), leftOut };
}

/** One segmentation read onto the series shown, and what tells it from the result's other segmentations. */
export interface SourcedSegmentation extends SegmentationLabels {
  /** Its Series Description, or its place among the result's segmentations ("SEG 2"). */
  source: string;
}

/** Several segmentations of one series as one labelmap (a voxel holds one segment). */
export interface CombinedSegmentation extends SegmentationLabels {
  /** Voxels that segments of two segmentations claim; the later segmentation's segment is kept there. */
  overlapping: number;
}

/**
 * Combines a result's segmentations of the series shown into one labelmap, each segment kept distinct: the first keeps
 * its segment numbers (a lone segmentation is drawn and saved exactly as written), each later one's segments take the
 * next free numbers, and a name another segment already has is qualified with its segmentation's source
 * ("liver (cl2 liver-ct)"), so the legend and a saved correction tell them apart.
 */
export function combineSegmentations(segmentations: SourcedSegmentation[], voxelCount: number): CombinedSegmentation {
  const labels = new Uint8Array(voxelCount);
  const labelNames: Record<string, string> = {};
  const taken = new Set<string>();
  const key = (name: string) => name.trim().toLowerCase();
  let next = 1;
  let overlapping = 0;
  segmentations.forEach((segmentation, index) => {
    const map = new Uint8Array(256);
    for (const [value, name] of Object.entries(segmentation.labelNames)) {
      const number = index === 0 ? Number(value) : next;
      if (number > 255) throw new Error('The result\'s segmentations have more than 255 segments together; a labelmap holds at most 255.');
      let unique = name;
      for (let copy = 2; taken.has(key(unique)); copy++) unique = `${name} (${segmentation.source}${copy > 2 ? ` ${copy - 1}` : ''})`;
      taken.add(key(unique));
      labelNames[String(number)] = unique;
      map[Number(value)] = number;
      next = Math.max(next, number + 1);
    }
    segmentation.labels.forEach((value, voxel) => {
      if (value === 0) return;
      if (labels[voxel] !== 0) overlapping++;
      labels[voxel] = map[value];
    });
  });
  return { labels, labelNames, overlapping };
}

/**
 * Places a segmentation's frames on a series.
 * @param seg the SEG instance's DICOM JSON metadata
 * @param pixelData its Pixel Data value
 * @param sourceSops the series' SOP Instance UIDs, slice 0 first
 */
export function readSegmentation(seg: DicomJson, pixelData: Uint8Array, sourceSops: string[], rows: number, columns: number): SegmentationLabels {
  const type = text(seg, SegTag.SegmentationType);
  if (type !== 'BINARY' && type !== 'FRACTIONAL') {
    throw new Error(`This segmentation is ${type || 'of no type'}; the review page reads BINARY and FRACTIONAL ones.`);
  }
  if (numbers(seg, '00280010')[0] !== rows || numbers(seg, '00280011')[0] !== columns) {
    throw new Error(`The segmentation's frames are ${numbers(seg, '00280010')[0]}×${numbers(seg, '00280011')[0]}, the series' images ${rows}×${columns}.`);
  }
  const labelNames = segmentLabels(seg);
  const slice = rows * columns;
  const frames = numbers(seg, SegTag.NumberOfFrames)[0] ?? 1;
  const needed = type === 'BINARY' ? Math.ceil((frames * slice) / 8) : frames * slice;
  if (pixelData.length < needed) {
    throw new Error(`The segmentation's Pixel Data holds ${pixelData.length} bytes; ${frames} frames of ${rows}×${columns} need ${needed}.`);
  }
  const threshold = type === 'FRACTIONAL' ? (numbers(seg, SegTag.MaximumFractionalValue)[0] ?? 255) / 2 : 0;
  const sliceOf = new Map(sourceSops.map((sop, index) => [sop, index]));
  const shared = items(seg, SegTag.SharedFunctionalGroupsSequence)[0];
  const perFrame = items(seg, SegTag.PerFrameFunctionalGroupsSequence);
  const labels = new Uint8Array(slice * sourceSops.length);
  for (let frame = 0; frame < frames; frame++) {
    const derivation = frameItem(perFrame[frame], shared, SegTag.DerivationImageSequence);
    const source = text(items(derivation, SegTag.SourceImageSequence)[0] ?? {}, SegTag.ReferencedSOPInstanceUID);
    const target = sliceOf.get(source);
    if (target === undefined) {
      throw new Error(`Frame ${frame + 1} of the segmentation lies on ${source || 'no named image'}, not on an image of the series shown.`);
    }
    const segment = numbers(frameItem(perFrame[frame], shared, SegTag.SegmentIdentificationSequence) ?? {}, SegTag.ReferencedSegmentNumber)[0];
    if (segment === undefined || !(String(segment) in labelNames)) {
      throw new Error(`Frame ${frame + 1} of the segmentation names segment ${segment ?? '(none)'}, which its Segment Sequence does not list.`);
    }
    const offset = target * slice;
    for (let pixel = 0; pixel < slice; pixel++) {
      const index = frame * slice + pixel;
      const inside = type === 'BINARY' ? (pixelData[index >> 3] >> (index & 7)) & 1 : pixelData[index] >= threshold && pixelData[index] > 0;
      if (inside) labels[offset + pixel] = segment;
    }
  }
  return { labels, labelNames };
}
