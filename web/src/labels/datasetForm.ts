// The Datasets page's forms as data: what an ML engineer typed turned into the input of defineDatasetLabels and
// addCases, and a dataset's labels and cases put into words. Only what GraphQL could not carry is refused here (a voxel
// value that is not a whole number); everything else is left to DefineDatasetLabels.Decide, whose message says it best.

import type { DatasetLabel } from './datasetLabels';

export type DefinableKind = 'SEGMENTATION' | 'CLASSIFICATION';

/** One line of the label editor, as typed. */
export interface LabelRow {
  name: string;
  value: string;
}

/** A mask holds one byte per voxel: 0 is background, 1–255 name labels. */
export const maxVoxelValue = 255;

/** The smallest voxel value no row uses yet (what a new segmentation label is proposed), or null when all are used. */
export function nextFreeValue(rows: LabelRow[]): number | null {
  const used = new Set(rows.map((row) => Number(row.value.trim())));
  for (let value = 1; value <= maxVoxelValue; value++) if (!used.has(value)) return value;
  return null;
}

/**
 * The labels to send: lines without a name left out (a new line comes with a proposed value), names trimmed; a segmentation label with its voxel value, a classification
 * label without one. A voxel value that is not a whole number is refused with what to type.
 */
export function labelsInput(kind: DefinableKind, rows: LabelRow[]): DatasetLabel[] {
  return rows
    .map((row) => ({ name: row.name.trim(), value: row.value.trim() }))
    .filter((row) => row.name !== '')
    .map((row) => {
      if (kind === 'CLASSIFICATION') return { name: row.name, value: null };
      if (!/^\d{1,3}$/.test(row.value)) {
        throw new Error(`Give '${row.name}' a voxel value: a whole number from 1 to ${maxVoxelValue} (0 is background).`);
      }
      return { name: row.name, value: Number(row.value) };
    });
}

/** The input channels in order, from names separated by commas or lines (e.g. "T1, T1c, T2, FLAIR"). */
export function channelsInput(text: string): string[] {
  return text.split(/[,\n]/).map((channel) => channel.trim()).filter((channel) => channel !== '');
}

/** Study Instance UIDs pasted one per line (spaces and commas also separate them), each once, in the order given. */
export function studyUidsInput(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).filter((uid) => uid !== ''))];
}

/** The editor's lines for a dataset's labels as defined now (one empty line to start from when none are). */
export function labelRows(labels: DatasetLabel[]): LabelRow[] {
  return labels.length === 0 ? [{ name: '', value: '1' }] : labels.map((label) => ({ name: label.name, value: label.value?.toString() ?? '' }));
}

/** A dataset's labels in words: "liver (1), liver lesion (2)" for segmentation, "fracture, implant" for classification. */
export function labelsText(labels: DatasetLabel[]): string {
  return labels.map((label) => (label.value === null ? label.name : `${label.name} (${label.value})`)).join(', ');
}

const statusOrder = ['UNLABELLED', 'SUBMITTED', 'APPROVED', 'REJECTED'];

/** Cases per label status in words, in the order a case goes through them: "3 unlabelled · 1 submitted". */
export function statusText(counts: { status: string; count: number }[]): string {
  if (counts.every((count) => count.count === 0)) return 'no case yet';
  return [...counts]
    .filter((count) => count.count > 0)
    .sort((a, b) => statusOrder.indexOf(a.status) - statusOrder.indexOf(b.status))
    .map((count) => `${count.count} ${count.status.toLowerCase()}`)
    .join(' · ');
}

/** What adding cases did: how many were added and how many of the studies given the dataset held already. */
export function addedText(given: number, added: number): string {
  const cases = `${added} ${added === 1 ? 'case' : 'cases'} added`;
  const skipped = given - added;
  return skipped === 0 ? `${cases}.` : `${cases}; ${skipped} of the studies ${skipped === 1 ? 'was' : 'were'} in the dataset already.`;
}
