// What a dataset's cases are labelled with (its `labelKind` and `labels` in GraphQL), and the classification label format
// training reads (docs/training.md, "Classification label format").

export interface DatasetLabel {
  name: string;
  /** A segmentation label's voxel value; null for a classification label. */
  value: number | null;
}

export interface DatasetLabelling {
  labelKind: 'SEGMENTATION' | 'CLASSIFICATION' | 'DETECTION' | null;
  labels: DatasetLabel[];
}

export const classificationFormat = 'cl2-classification/1';

export interface ClassificationLabel {
  format: typeof classificationFormat;
  referencedSeriesInstanceUids: string[];
  labels: Record<string, boolean>;
}

/**
 * The segments to paint, voxel value → name: the dataset's segmentation labels where it defines them, else those of the
 * case's last revision, else one segment for a first label.
 */
export function segmentNames(dataset: DatasetLabelling, previous: Record<string, string> | undefined): Record<string, string> {
  const defined = dataset.labelKind === 'SEGMENTATION' ? dataset.labels.filter((label) => label.value !== null) : [];
  if (defined.length > 0) return Object.fromEntries(defined.map((label) => [String(label.value), label.name]));
  return previous && Object.keys(previous).length > 0 ? previous : { '1': 'Segment 1' };
}

/** The blob of a CLASSIFICATION revision: a true/false per label of the dataset, on the series it was read on. */
export function packClassification(seriesInstanceUids: string[], labels: Record<string, boolean>): Uint8Array {
  const label: ClassificationLabel = { format: classificationFormat, referencedSeriesInstanceUids: seriesInstanceUids, labels };
  return new TextEncoder().encode(JSON.stringify(label));
}

/** A stored classification label, or an error that says what the blob is not. */
export function unpackClassification(blob: Uint8Array): ClassificationLabel {
  let label: Partial<ClassificationLabel>;
  try {
    label = JSON.parse(new TextDecoder().decode(blob)) as Partial<ClassificationLabel>;
  } catch {
    throw new Error(`The label blob is not JSON; a classification label is {"format": "${classificationFormat}", …}.`);
  }
  if (label.format !== classificationFormat || !label.labels || !label.referencedSeriesInstanceUids) {
    throw new Error(`The label blob has format '${String(label.format)}'; a classification label has format ${classificationFormat}, its series and its labels.`);
  }
  return label as ClassificationLabel;
}
