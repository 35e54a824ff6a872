// The label review page's queue: a dataset's submitted labels, oldest submission first (`cases(labelStatus: SUBMITTED,
// orderBy: LABELLED_AT)`), a page at a time, each with who submitted which revision when, and Open.

import { graphql } from '../api/graphql';
import { pageRange, queueItems, type QueueItem, type SubmittedCase } from '../labels/labelReview';
import { element, escapeHtml, showError } from '../ui';

export const pageSize = 10;

export const submittedCaseFields = `id studyInstanceUid currentRevision currentRevisionId labelStatus
  labelHistory { id revision kind blobDigest status submittedBy submittedAt reviewedBy reviewComment }`;

export interface ReviewQueue {
  element: HTMLElement;
  /** Shows the first page again (after a decision, the reviewed label has left it) and answers its oldest label. */
  reload(): Promise<QueueItem | undefined>;
  /** Marks the row of the case open in the viewer. */
  markOpen(caseId: string | undefined): void;
}

export function reviewQueue(datasetId: string, open: (item: QueueItem) => void): ReviewQueue {
  const section = element(`<section class="queue" aria-labelledby="queue-title"><h2 id="queue-title">Submitted labels</h2>
    <p class="queue-state" aria-live="polite">Loading the queue…</p><table hidden><thead><tr><th>Study</th><th>Rev.</th>
    <th>Submitted</th><th></th></tr></thead><tbody></tbody></table>
    <div class="pager"><button type="button" data-page="previous" disabled>Previous page</button>
    <button type="button" data-page="next" disabled>Next page</button></div></section>`);
  const state = section.querySelector<HTMLElement>('.queue-state')!;
  const table = section.querySelector('table')!;
  const rows = section.querySelector('tbody')!;
  const [previous, next] = [...section.querySelectorAll<HTMLButtonElement>('[data-page]')];
  // Relay cursors are forward-only: the cursors of the pages before the shown one are kept to go back.
  const cursors: (string | null)[] = [null];
  let items: QueueItem[] = [];
  let openCase: string | undefined;

  const show = async (page: number): Promise<QueueItem | undefined> => {
    previous.disabled = next.disabled = true;
    const { cases } = await graphql<{ cases: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; items: SubmittedCase[] } }>(
      `query($dataset: ID!, $first: Int!, $after: String) { cases(dataset: $dataset, labelStatus: SUBMITTED, orderBy: LABELLED_AT,
        first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } items { ${submittedCaseFields} } } }`,
      { dataset: datasetId, first: pageSize, after: cursors[page] });
    cursors.length = page + 1;
    if (cases.pageInfo.hasNextPage) cursors.push(cases.pageInfo.endCursor);
    items = queueItems(cases.items);
    state.textContent = cases.totalCount === 0
      ? 'No submitted label is waiting for review in this dataset.'
      : `${pageRange(page * pageSize, items.length, cases.totalCount)} submitted labels, oldest first.`;
    table.hidden = items.length === 0;
    rows.innerHTML = items.map((item, index) => `<tr data-case-id="${item.caseId}"${item.caseId === openCase ? ' aria-current="true"' : ''}>
      <td><code title="${escapeHtml(item.studyInstanceUid)}">…${escapeHtml(item.studyInstanceUid.slice(-12))}</code></td>
      <td>${item.revision.revision ?? ''}</td>
      <td>${escapeHtml(item.revision.submittedBy)}<br><small>${new Date(item.revision.submittedAt).toLocaleString()}</small></td>
      <td><button type="button" data-open="${index}" aria-label="Open revision ${item.revision.revision} of study ${escapeHtml(item.studyInstanceUid)}">Open</button></td>
      </tr>`).join('');
    previous.disabled = page === 0;
    next.disabled = cursors.length <= page + 1;
    shown = page;
    return items[0];
  };
  let shown = 0;
  const showing = (page: number) => show(page).catch((error) => {
    state.textContent = '';
    showError(state, error);
    return undefined;
  });

  previous.onclick = () => void showing(shown - 1);
  next.onclick = () => void showing(shown + 1);
  rows.onclick = (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-open]');
    if (button) open(items[Number(button.dataset.open)]);
  };
  return {
    element: section,
    reload: () => showing(0),
    markOpen(caseId) {
      openCase = caseId;
      rows.querySelectorAll('tr').forEach((row) => {
        if (row.dataset.caseId === caseId) row.setAttribute('aria-current', 'true');
        else row.removeAttribute('aria-current');
      });
    },
  };
}
