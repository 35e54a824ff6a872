// One dataset's cases as the Datasets page lists them: the filters in the address and in the cases query, and each
// case's assignment, split part, score and links in words. The page shows what labeling answers; nothing here decides
// what may be done to a case (AssignCase, ReleaseCase and RemoveCase do, and their refusals are shown as they come).

import type { DatasetSplit } from './datasetSettings';

export const labelStatuses = ['UNLABELLED', 'SUBMITTED', 'APPROVED', 'REJECTED'] as const;

export interface CaseScore {
  method: string;
  value: number;
  scoredAt: string;
}

export interface CaseRow {
  id: string;
  studyInstanceUid: string;
  addedAt: string;
  labelStatus: string;
  assignedTo: string | null;
  assignmentExpiresAt: string | null;
  score: CaseScore | null;
}

/** The case list's filters: a label status ('' for any) and an assignee ('' for anyone or no one). */
export interface CaseFilter {
  status: string;
  assignee: string;
}

/** The filters an address names (`&status=SUBMITTED&assignee=alice`); an unknown status is no filter. */
export function caseFilterOf(query: URLSearchParams): CaseFilter {
  const status = (query.get('status') ?? '').toUpperCase();
  return {
    status: (labelStatuses as readonly string[]).includes(status) ? status : '',
    assignee: (query.get('assignee') ?? '').trim(),
  };
}

/** The variables of the cases query for one page of the filtered list. */
export function caseVariables(datasetId: string, filter: CaseFilter, first: number, after: string | null) {
  return {
    dataset: datasetId,
    labelStatus: filter.status === '' ? null : filter.status,
    assignedTo: filter.assignee === '' ? null : filter.assignee,
    first,
    after,
  };
}

/** The address of the dataset's cases with these filters, from the first page or after a cursor. */
export function casesAddress(datasetId: string, filter: CaseFilter, after: string | null = null): string {
  const query = new URLSearchParams({ dataset: datasetId });
  if (filter.status !== '') query.set('status', filter.status);
  if (filter.assignee !== '') query.set('assignee', filter.assignee);
  if (after) query.set('after', after);
  return `/datasets?${query.toString()}`;
}

/** An instant as the page shows it: "2026-12-07 14:05 UTC" (one time zone for everyone who reads it together). */
export function instantText(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Who holds the case and until when: "free", "alice until 2026-12-07 14:05 UTC", or "alice (no end)" for an assignCase. */
export function assignmentText(row: Pick<CaseRow, 'assignedTo' | 'assignmentExpiresAt'>): string {
  if (!row.assignedTo) return 'free';
  return row.assignmentExpiresAt ? `${row.assignedTo} until ${instantText(row.assignmentExpiresAt)}` : `${row.assignedTo} (no end)`;
}

/** The part of the fixed split the case is in; "not fixed" before the split is, "not in the split" for a case added after. */
export function splitPart(caseId: string, split: DatasetSplit | null): string {
  if (!split) return 'not fixed';
  if (split.trainCaseIds.includes(caseId)) return 'train';
  if (split.validationCaseIds.includes(caseId)) return 'validation';
  if (split.testCaseIds.includes(caseId)) return 'test';
  return 'not in the split';
}

/** Whether the fixed split holds the case (RemoveCase refuses those). */
export function inSplit(caseId: string, split: DatasetSplit | null): boolean {
  return !['not fixed', 'not in the split'].includes(splitPart(caseId, split));
}

/** The case's latest active-learning score: "entropy 0.731 (2026-12-07 14:05 UTC)", or "not scored". */
export function scoreText(score: CaseScore | null): string {
  return score ? `${score.method} ${score.value.toFixed(3)} (${instantText(score.scoredAt)})` : 'not scored';
}

/** The label status in words. */
export function statusWord(status: string): string {
  return status.toLowerCase();
}

export interface CaseLink {
  href: string;
  text: string;
}

/**
 * Where a case is worked on, for the pages the user's roles open: its study in the viewer, the dataset's worklist to
 * annotate (the annotate page hands out cases by its strategy and does not open one by id), and a submitted label's
 * review.
 */
export function caseLinks(row: Pick<CaseRow, 'id' | 'studyInstanceUid' | 'labelStatus'>, datasetId: string, openPaths: Set<string>): CaseLink[] {
  const dataset = encodeURIComponent(datasetId);
  const links: CaseLink[] = [{ href: `/viewer?study=${encodeURIComponent(row.studyInstanceUid)}`, text: 'View study' }];
  if (openPaths.has('/annotate') && row.labelStatus !== 'APPROVED') links.push({ href: `/annotate?dataset=${dataset}`, text: 'Annotate' });
  if (openPaths.has('/review-labels') && row.labelStatus === 'SUBMITTED') {
    links.push({ href: `/review-labels?dataset=${dataset}&case=${encodeURIComponent(row.id)}`, text: 'Review label' });
  }
  return links;
}

/** How many cases the filtered list holds: "3 cases", "1 submitted case assigned to alice". */
export function casesCountText(total: number, filter: CaseFilter): string {
  const what = `${total} ${filter.status === '' ? '' : `${statusWord(filter.status)} `}${total === 1 ? 'case' : 'cases'}`;
  return filter.assignee === '' ? what : `${what} assigned to ${filter.assignee}`;
}
