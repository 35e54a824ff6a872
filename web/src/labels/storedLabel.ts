// A stored label revision read back from the blob store in its kind's format (docs/training.md): a segmentation's mask
// tar, a classification's JSON. The annotator workspace starts from one; the label review page shows one.

import { downloadBlob } from '../api/graphql';
import { unpackClassification, type ClassificationLabel } from './datasetLabels';
import { unpackMask, type LabelVolumeHeader } from './labelVolume';

export type StoredLabel =
  | { kind: 'SEGMENTATION'; mask: { header: LabelVolumeHeader; labels: Uint8Array } }
  | { kind: 'CLASSIFICATION'; classification: ClassificationLabel };

/** A revision's blob, unpacked as its kind says (a DETECTION label has no format the web app reads yet). */
export async function readLabel(revision: { kind: string; blobDigest: string }): Promise<StoredLabel> {
  if (revision.kind !== 'SEGMENTATION' && revision.kind !== 'CLASSIFICATION') {
    throw new Error(`A ${revision.kind} label cannot be shown here: the web app reads segmentation and classification labels.`);
  }
  const blob = await downloadBlob(revision.blobDigest);
  return revision.kind === 'SEGMENTATION'
    ? { kind: 'SEGMENTATION', mask: unpackMask(blob) }
    : { kind: 'CLASSIFICATION', classification: unpackClassification(blob) };
}

/** The series a stored label was made on: one, or one per input channel in channel order. */
export function labelledSeries(label: StoredLabel): string[] {
  return (label.kind === 'SEGMENTATION' ? label.mask.header : label.classification).referencedSeriesInstanceUids;
}
