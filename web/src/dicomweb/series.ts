// A series as the viewer and the label format need it: its instances in DICOMweb JSON (PS3.18 Annex F), sorted by
// position along the slice normal, and the grid they lie on. Slice 0 is the image with the lowest position, as in the
// label volume training reads (docs/training.md, "Mask format").

export type DicomJson = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string }>;

export const Tag = {
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SOPInstanceUID: '00080018',
  Modality: '00080060',
  SeriesDescription: '0008103E',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  NumberOfSeriesRelatedInstances: '00201209',
  ImagePositionPatient: '00200032',
  ImageOrientationPatient: '00200037',
  FrameOfReferenceUID: '00200052',
  PixelSpacing: '00280030',
  Rows: '00280010',
  Columns: '00280011',
  SpacingBetweenSlices: '00180088',
  WindowCenter: '00281050',
  WindowWidth: '00281051',
} as const;

export function values(item: DicomJson, tag: string): unknown[] {
  return item[tag]?.Value ?? [];
}

export function text(item: DicomJson, tag: string): string {
  const first = values(item, tag)[0];
  if (first == null) return '';
  if (typeof first === 'object' && first !== null && 'Alphabetic' in first) {
    return String((first as { Alphabetic: unknown }).Alphabetic);
  }
  return String(first);
}

export function numbers(item: DicomJson, tag: string): number[] {
  return values(item, tag).map(Number);
}

export interface Grid {
  rows: number;
  columns: number;
  slices: number;
  /** [slice, row, column] in mm, the label volume's order. */
  spacing: [number, number, number];
  /** Image Position (Patient) of slice 0. */
  origin: [number, number, number];
  /** Image Orientation (Patient): row direction, then column direction. */
  orientation: [number, number, number, number, number, number];
  frameOfReferenceUid: string;
}

export interface SortedSeries {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  modality: string;
  /** The instances, slice 0 first. */
  instances: DicomJson[];
  grid: Grid;
}

const defaultOrientation: Grid['orientation'] = [1, 0, 0, 0, 1, 0];

/** The slice normal: the row direction crossed with the column direction of Image Orientation (Patient). */
export function normalOf(orientation: number[]): [number, number, number] {
  const [rx, ry, rz, cx, cy, cz] = orientation;
  return [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
}

/** Sorts a series' instance metadata along its slice normal and derives its grid. */
export function sortSeries(instances: DicomJson[]): SortedSeries {
  if (instances.length === 0) {
    throw new Error('The series has no instances in the archive.');
  }
  const first = instances[0];
  const orientation = (numbers(first, Tag.ImageOrientationPatient).length === 6
    ? numbers(first, Tag.ImageOrientationPatient)
    : defaultOrientation) as Grid['orientation'];
  const normal = normalOf(orientation);
  const along = (item: DicomJson) => {
    const position = numbers(item, Tag.ImagePositionPatient);
    return position.length === 3
      ? position[0] * normal[0] + position[1] * normal[1] + position[2] * normal[2]
      : Number(text(item, Tag.InstanceNumber) || 0);
  };
  const sorted = [...instances].sort((a, b) => along(a) - along(b));
  const positions = sorted.map(along);
  const sliceSpacing = sorted.length > 1
    ? (positions[positions.length - 1] - positions[0]) / (sorted.length - 1)
    : numbers(first, Tag.SpacingBetweenSlices)[0] ?? 1;
  const [rowSpacing, columnSpacing] = numbers(first, Tag.PixelSpacing).length === 2 ? numbers(first, Tag.PixelSpacing) : [1, 1];
  const origin = numbers(sorted[0], Tag.ImagePositionPatient);
  return {
    studyInstanceUid: text(first, Tag.StudyInstanceUID),
    seriesInstanceUid: text(first, Tag.SeriesInstanceUID),
    modality: text(first, Tag.Modality),
    instances: sorted,
    grid: {
      rows: numbers(first, Tag.Rows)[0] ?? 0,
      columns: numbers(first, Tag.Columns)[0] ?? 0,
      slices: sorted.length,
      spacing: [sliceSpacing, rowSpacing, columnSpacing],
      origin: (origin.length === 3 ? origin : [0, 0, 0]) as Grid['origin'],
      orientation,
      frameOfReferenceUid: text(first, Tag.FrameOfReferenceUID),
    },
  };
}

/** The WADO-RS address of frame 1 of an instance, as Cornerstone's loader names it (`wadors:` + URL). */
export function frameImageId(base: string, instance: DicomJson): string {
  return `wadors:${base}/studies/${text(instance, Tag.StudyInstanceUID)}/series/${text(instance, Tag.SeriesInstanceUID)}` +
    `/instances/${text(instance, Tag.SOPInstanceUID)}/frames/1`;
}

export interface SeriesSummary {
  seriesInstanceUid: string;
  modality: string;
  description: string;
  number: number;
  instances: number;
}

/** Series a person labels: images, not the results written over them. */
export function imageSeries(series: SeriesSummary[]): SeriesSummary[] {
  return series.filter((item) => !['SEG', 'SR', 'PR', 'KO'].includes(item.modality));
}

async function getJson(url: string): Promise<DicomJson[]> {
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/dicom+json' } });
  if (response.status === 204) return [];
  if (!response.ok) {
    throw new Error(`The archive answered ${response.status} for ${url}: ${await response.text()}`);
  }
  return (await response.json()) as DicomJson[];
}

/** QIDO-RS: the study's series, by series number. */
export async function listSeries(base: string, study: string): Promise<SeriesSummary[]> {
  const found = await getJson(`${base}/studies/${study}/series`);
  return found
    .map((item) => ({
      seriesInstanceUid: text(item, Tag.SeriesInstanceUID),
      modality: text(item, Tag.Modality),
      description: text(item, Tag.SeriesDescription),
      number: Number(text(item, Tag.SeriesNumber) || 0),
      instances: Number(text(item, Tag.NumberOfSeriesRelatedInstances) || 0),
    }))
    .sort((a, b) => a.number - b.number);
}

/** WADO-RS metadata of a series, sorted along its normal. */
export async function loadSeries(base: string, study: string, series: string): Promise<SortedSeries> {
  return sortSeries(await getJson(`${base}/studies/${study}/series/${series}/metadata`));
}
