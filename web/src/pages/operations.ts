// Operations, for admins: what the platform received and did with it — received studies, routing decisions and inference
// results with their deliveries (a dead letter can be retried), imports from the PACS with their progress (refreshed
// while one runs), and the access audit (filtered by study or user); each list 20 newest first, then 20 more a click.

import { graphql } from '../api/graphql';
import type { Me } from '../api/session';
import { importProgress, routingSummary, type ImportProgress, type RoutedResult } from '../operations/summaries';
import { element, escapeHtml, showError } from '../ui';

interface Delivery { destination: string; status: string; attempts: number; lastError: string | null; lastAttemptAt: string }

type Result = RoutedResult & { id: string; studyInstanceUid: string; completedAt: string; deliveries: Delivery[] };

type PacsImport = ImportProgress & { id: string; startedBy: string; startedAt: string; leaseExpiresAt: string | null };

type Audit = { at: string; userId: string; operation: string; outcomeDescription: string; studyInstanceUids: string[] };

/** How many of each list a page of it shows: the newest first, then "Show more" for the next ones. */
const shown = 20;

const when = (at: string) => escapeHtml(new Date(at).toLocaleString());

/** One list of the page: a paged GraphQL connection (`first`, `after`; newest first) drawn as a table. */
interface List<T> {
  testid: string;
  caption: string;
  head: string[];
  /** The connection's field, with the arguments it takes besides first/after (name → GraphQL type). */
  field: string;
  filters?: Record<string, string>;
  selection: string;
  row(item: T): string;
  empty: string;
}

/**
 * A list's section: its first page, and "Show more" for the next while the connection has one. load() reads it again
 * from the newest (as many as are shown, so a refresh keeps the rows paged in), with the filters given.
 */
function pagedList<T>(list: List<T>) {
  const section = element(`<section data-testid="${list.testid}"><h2>${list.caption}</h2><div class="list"></div></section>`);
  const body = section.querySelector<HTMLElement>('.list')!;
  const filters = Object.entries(list.filters ?? {});
  const query = `query($first: Int!, $after: String${filters.map(([name, type]) => `, $${name}: ${type}`).join('')}) {
    ${list.field}(first: $first, after: $after${filters.map(([name]) => `, ${name}: $${name}`).join('')}) {
      items { ${list.selection} } pageInfo { hasNextPage endCursor } } }`;
  let items: T[] = [];
  let next: string | null = null;
  let values: Record<string, string | null> = {};
  const page = async (first: number, after: string | null) =>
    (await graphql<Record<string, { items: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }>>(query, { first, after, ...values }))[list.field];
  const render = () => {
    body.innerHTML = items.length === 0 ? `<p>${list.empty}</p>` : `<table><thead><tr>${list.head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>
      <tbody>${items.map((item) => list.row(item)).join('')}</tbody></table>`;
    if (next !== null) body.append(element(`<button type="button" data-action="more">Show ${shown} more</button>`));
  };
  body.onclick = async (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action=more]');
    if (!button || next === null) return;
    button.disabled = true;
    try {
      const more = await page(shown, next);
      items = [...items, ...more.items];
      next = more.pageInfo.hasNextPage ? more.pageInfo.endCursor : null;
      render();
    } catch (error) {
      button.disabled = false;
      showError(body, error);
    }
  };
  return {
    section,
    items: () => items,
    async load(filtered: Record<string, string | null> = values) {
      values = filtered;
      const first = await page(Math.min(Math.max(shown, items.length), 500), null);
      items = first.items;
      next = first.pageInfo.hasNextPage ? first.pageInfo.endCursor : null;
      render();
      // The filters the rows shown answer (data-study, data-user), once they are shown.
      for (const [name, value] of Object.entries(values)) {
        if (value === null) delete section.dataset[name];
        else section.dataset[name] = value;
      }
    },
  };
}

export async function showOperations(main: HTMLElement, me: Me): Promise<void> {
  main.innerHTML = '<h1>Operations</h1>';
  if (!me.roles.includes('admin')) {
    main.append(element('<p>The operations page is for administrators (the admin role).</p>'));
    return;
  }
  const body = element('<div class="operations"></div>');
  main.append(body);
  const received = pagedList<{ studyInstanceUid: string; callingAeTitle: string; instanceCount: number; receivedAt: string }>({
    testid: 'received', caption: 'Received studies', head: ['Study', 'From (AE)', 'Instances', 'Received'],
    field: 'recentlyReceivedStudies', selection: 'studyInstanceUid callingAeTitle instanceCount receivedAt',
    row: (s) => `<tr><td><a href="/viewer?study=${encodeURIComponent(s.studyInstanceUid)}"><code>${escapeHtml(s.studyInstanceUid)}</code></a></td>
      <td>${escapeHtml(s.callingAeTitle)}</td><td>${s.instanceCount}</td><td>${when(s.receivedAt)}</td></tr>`,
    empty: 'The listener has received no study yet.',
  });
  const results = pagedList<Result>({
    testid: 'results', caption: 'Inference results and deliveries', head: ['Study', 'Routing', 'Deliveries', 'Completed'],
    field: 'inferenceResults', selection: `id studyInstanceUid completedAt failure failureReason routing { ruleName explanation }
      modelVersion { number model { name } } deliveries { destination status attempts lastError lastAttemptAt }`,
    row: (r) => `<tr><td><a href="/review?study=${encodeURIComponent(r.studyInstanceUid)}"><code>${escapeHtml(r.studyInstanceUid)}</code></a></td>
      <td title="${escapeHtml(r.routing?.explanation.join('\n') ?? '')}">${escapeHtml(routingSummary(r))}</td>
      <td>${r.deliveries.length === 0 ? 'none' : r.deliveries.map((d) => deliveryLine(r.id, d)).join('<br>')}</td><td>${when(r.completedAt)}</td></tr>`,
    empty: 'No inference result is recorded yet.',
  });
  const imports = pagedList<PacsImport>({
    testid: 'imports', caption: 'Imports from the PACS', head: ['Started', 'By', 'Status', 'Progress'],
    field: 'pacsImports', selection: 'id status studyInstanceUids studiesImported instancesFetched instancesSkipped failureReason holder leaseExpiresAt startedBy startedAt',
    row: (i) => `<tr><td>${when(i.startedAt)}</td><td>${escapeHtml(i.startedBy)}</td><td>${i.status}</td>
      <td${i.leaseExpiresAt ? ` title="lease until ${when(i.leaseExpiresAt)}"` : ''}><progress max="${i.studyInstanceUids.length}" value="${i.studiesImported}"></progress> ${escapeHtml(importProgress(i))}</td></tr>`,
    empty: 'No import from the PACS was started.',
  });
  const audit = pagedList<Audit>({
    testid: 'audit', caption: 'Access audit (newest first)', head: ['When', 'Who', 'What', 'Outcome', 'Studies'],
    field: 'accessAudit', filters: { study: 'String', user: 'String' }, selection: 'at userId operation outcomeDescription studyInstanceUids',
    row: (a) => `<tr><td>${when(a.at)}</td><td>${escapeHtml(a.userId)}</td><td class="wrap">${escapeHtml(a.operation)}</td>
      <td>${escapeHtml(a.outcomeDescription)}</td><td class="wrap">${a.studyInstanceUids.map((s) => `<code>${escapeHtml(s)}</code>`).join(' ')}</td></tr>`,
    empty: 'The audit holds no record (that matches the filter).',
  });
  // The audit narrowed to who accessed a study, or what a user (a client, a calling AE) accessed, or both.
  const filter = element<HTMLFormElement>(`<form class="toolbar" aria-label="Filter the audit">
    <label>Study <input name="study" size="40" placeholder="Study Instance UID"></label>
    <label>User <input name="user" size="20" placeholder="user, client or AE title"></label>
    <button type="submit">Filter</button> <button type="reset">Clear</button></form>`);
  const filtered = () => Object.fromEntries(['study', 'user'].map((name) => [name, (new FormData(filter).get(name) as string).trim() || null]));
  filter.onsubmit = (event) => {
    event.preventDefault();
    void audit.load(filtered()).catch((error) => showError(audit.section, error));
  };
  filter.onreset = () => window.setTimeout(() => void audit.load(filtered()).catch((error) => showError(audit.section, error)));
  audit.section.querySelector('h2')!.after(filter);
  body.append(received.section, results.section, imports.section, audit.section);

  // While an import runs its progress is read again every 2 s.
  let refresh: number | undefined;
  const watchImports = () => {
    window.clearTimeout(refresh);
    if (imports.items().some((i) => i.status === 'RUNNING')) {
      refresh = window.setTimeout(() => void imports.load().then(watchImports, (e) => showError(main, e)), 2000);
    }
  };
  body.addEventListener('click', async (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-retry]');
    if (!button) return;
    button.disabled = true;
    try {
      await graphql(`mutation($input: RetryDeliveryInput!) { retryDelivery(input: $input) { status } }`,
        { input: { inferenceResultId: button.dataset.retry, destination: button.dataset.destination } });
      button.replaceWith(element('<span data-testid="retry-requested">retry requested</span>'));
    } catch (error) {
      button.disabled = false;
      showError(button.parentElement!, error);
    }
  });
  await Promise.all([received.load(), results.load(), imports.load(), audit.load()]);
  watchImports();
}

function deliveryLine(resultId: string, d: Delivery): string {
  const line = `${escapeHtml(d.destination)}: ${d.status.toLowerCase().replace('_', ' ')} after ${d.attempts} attempt(s)` +
    (d.lastError ? ` — ${escapeHtml(d.lastError)}` : '');
  return d.status === 'DEAD_LETTERED'
    ? `${line} <button type="button" data-retry="${escapeHtml(resultId)}" data-destination="${escapeHtml(d.destination)}">Retry</button>`
    : line;
}
