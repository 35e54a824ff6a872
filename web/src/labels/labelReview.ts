// What the label review page (web/src/pages/reviewLabels.ts) shows, worked out without the DOM: the queue's rows from
// the submitted cases, what a segmentation holds per segment and where, and a refused decision in words.

import { ApiError } from '../api/graphql';

export interface RevisionInfo {
  id: string;
  revision: number | null;
  kind: string;
  blobDigest: string;
  status: string;
  submittedBy: string;
  submittedAt: string;
  reviewedBy: string | null;
  reviewComment: string | null;
}

export interface SubmittedCase {
  id: string;
  studyInstanceUid: string;
  currentRevision: number;
  currentRevisionId: string | null;
  labelStatus: string;
  labelHistory: RevisionInfo[];
}

/** A case of the queue: the case and the revision a radiologist approves or rejects (its current one). */
export interface QueueItem {
  caseId: string;
  studyInstanceUid: string;
  revision: RevisionInfo;
}

/** The revision a decision is about: the case's current one, as `reviewLabel` requires; none before a first submission. */
export function currentRevisionOf(item: SubmittedCase): RevisionInfo | undefined {
  return item.labelHistory.find((revision) => revision.id === item.currentRevisionId);
}

export function queueItems(cases: SubmittedCase[]): QueueItem[] {
  return cases.flatMap((item) => {
    const revision = currentRevisionOf(item);
    return revision ? [{ caseId: item.id, studyInstanceUid: item.studyInstanceUid, revision }] : [];
  });
}

export interface SegmentExtent {
  value: number;
  name: string;
  voxels: number;
  /** The first and last slice (0 = the series' first) with a voxel of the segment. */
  firstSlice: number;
  lastSlice: number;
}

/** Each segment a mask holds (slice after slice, `sliceSize` voxels each), named by `names`, in value order. */
export function segmentExtents(labels: Uint8Array, sliceSize: number, names: Record<string, string>): SegmentExtent[] {
  const found = new Map<number, SegmentExtent>();
  labels.forEach((value, index) => {
    if (value === 0) return;
    const slice = Math.floor(index / sliceSize);
    const extent = found.get(value);
    if (extent) {
      extent.voxels++;
      extent.lastSlice = slice;
    } else {
      found.set(value, { value, name: names[String(value)] ?? `Segment ${value}`, voxels: 1, firstSlice: slice, lastSlice: slice });
    }
  });
  return [...found.values()].sort((a, b) => a.value - b.value);
}

/** The slice with the most labelled voxels (the first of equals), where the review opens; undefined for an empty mask. */
export function busiestSlice(labels: Uint8Array, sliceSize: number): number | undefined {
  let best: number | undefined;
  let most = 0;
  for (let slice = 0; slice * sliceSize < labels.length; slice++) {
    let count = 0;
    for (let index = slice * sliceSize; index < Math.min((slice + 1) * sliceSize, labels.length); index++) {
      if (labels[index] !== 0) count++;
    }
    if (count > most) [best, most] = [slice, count];
  }
  return best;
}

/** "11–20 of 43": the rows a page shows, counted from 1. */
export function pageRange(skipped: number, shown: number, total: number): string {
  return shown === 0 ? `0 of ${total}` : `${skipped + 1}–${skipped + shown} of ${total}`;
}

/**
 * Why a decision was not recorded and what to do, or undefined for an error that is not a refusal of this decision
 * (the page shows its message as it is).
 */
export function refusalAdvice(error: unknown, reviewed: number): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.code === 'LABEL_REVISION_CONFLICT') {
    const current = Number(error.details.currentRevision);
    const now = Number.isFinite(current) && current !== reviewed ? `it is at revision ${current} now` : 'another revision replaced it';
    return `The case's label changed while you reviewed revision ${reviewed}: ${now}. Your decision was not recorded. `
      + 'Reload to review the current revision.';
  }
  if (error.code === 'LABEL_ALREADY_REVIEWED') {
    return `Someone reviewed revision ${reviewed} first (${error.message}). Your decision was not recorded. `
      + 'Reload to see their decision and the rest of the queue.';
  }
  if (error.code === 'FORBIDDEN') return 'Only a radiologist may approve or reject a label; your decision was not recorded.';
  return undefined;
}

/**
 * The caption of each series a label references: the dataset's channel names where it names one per series (in the
 * label's order, which is the channels'), else "Series 1", "Series 2"… (a label made before the dataset named channels).
 */
export function seriesCaptions(channels: string[], seriesCount: number): string[] {
  return channels.length === seriesCount ? [...channels] : Array.from({ length: seriesCount }, (_, index) => `Series ${index + 1}`);
}

/**
 * Why "Save correction and approve" did not approve, and what to do, or undefined for an error the page shows as it is.
 * @param saved the revision the correction was saved as, when saving it worked and the approval was refused
 */
export function correctionRefusalAdvice(error: unknown, corrected: number, saved?: number): string | undefined {
  if (saved !== undefined) {
    return `Your correction is saved as revision ${saved}, but it was not approved (${error instanceof Error ? error.message : String(error)}). `
      + 'Reload to see the case as it is now and decide again.';
  }
  if (!(error instanceof ApiError)) return undefined;
  if (error.code === 'LABEL_REVISION_CONFLICT') {
    const current = Number(error.details.currentRevision);
    const now = Number.isFinite(current) && current !== corrected ? `it is at revision ${current} now` : 'another revision replaced it';
    return `The case's label changed while you corrected revision ${corrected}: ${now}. Your correction is kept in the case's `
      + 'history as a conflicted revision and nothing was approved. Reload to review the current revision.';
  }
  if (error.code === 'FORBIDDEN') return 'Only a radiologist may correct and approve a label; nothing was saved.';
  return undefined;
}
