// Operations, for admins: what the platform received and did with it — received studies, routing decisions and inference
// results with their deliveries (a dead letter can be retried), imports from the PACS with their progress (refreshed
// while one runs), and the access audit.

import { graphql } from '../api/graphql';
import type { Me } from '../api/session';
import { importProgress, routingSummary, type ImportProgress, type RoutedResult } from '../operations/summaries';
import { element, escapeHtml, showError } from '../ui';

interface Delivery { destination: string; status: string; attempts: number; lastError: string | null; lastAttemptAt: string }

type Result = RoutedResult & { id: string; studyInstanceUid: string; completedAt: string; deliveries: Delivery[] };

type PacsImport = ImportProgress & { id: string; startedBy: string; startedAt: string; leaseExpiresAt: string | null };

interface Operations {
  recentlyReceivedStudies: { items: { studyInstanceUid: string; callingAeTitle: string; instanceCount: number; receivedAt: string }[] };
  inferenceResults: { items: Result[] };
  pacsImports: { items: PacsImport[] };
  accessAudit: { items: { at: string; userId: string; operation: string; outcomeDescription: string; studyInstanceUids: string[] }[] };
}

const shown = 20;

const query = `{
  recentlyReceivedStudies(first: ${shown}) { items { studyInstanceUid callingAeTitle instanceCount receivedAt } }
  inferenceResults(first: ${shown}) { items { id studyInstanceUid completedAt failure failureReason routing { ruleName explanation }
    modelVersion { number model { name } } deliveries { destination status attempts lastError lastAttemptAt } } }
  pacsImports(first: ${shown}) { items { id status studyInstanceUids studiesImported instancesFetched instancesSkipped failureReason holder leaseExpiresAt startedBy startedAt } }
  accessAudit(first: ${shown}) { items { at userId operation outcomeDescription studyInstanceUids } }
}`;

const when = (at: string) => escapeHtml(new Date(at).toLocaleString());

const table = (caption: string, testid: string, head: string[], rows: string[], empty: string) =>
  `<section data-testid="${testid}"><h2>${caption}</h2>${rows.length === 0 ? `<p>${empty}</p>` : `<table><thead><tr>${head
    .map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`}</section>`;

export async function showOperations(main: HTMLElement, me: Me): Promise<void> {
  main.innerHTML = '<h1>Operations</h1>';
  if (!me.roles.includes('admin')) {
    main.append(element('<p>The operations page is for administrators (the admin role).</p>'));
    return;
  }
  const body = element('<div class="operations"></div>');
  main.append(body);
  let refresh: number | undefined;
  const load = async () => {
    const data = await graphql<Operations>(query);
    body.innerHTML = [
      table('Received studies', 'received', ['Study', 'From (AE)', 'Instances', 'Received'],
        data.recentlyReceivedStudies.items.map((s) => `<tr><td><a href="/viewer?study=${encodeURIComponent(s.studyInstanceUid)}"><code>${escapeHtml(s.studyInstanceUid)}</code></a></td>
          <td>${escapeHtml(s.callingAeTitle)}</td><td>${s.instanceCount}</td><td>${when(s.receivedAt)}</td></tr>`),
        'The listener has received no study yet.'),
      table('Inference results and deliveries', 'results', ['Study', 'Routing', 'Deliveries', 'Completed'],
        data.inferenceResults.items.map((r) => `<tr><td><a href="/review?study=${encodeURIComponent(r.studyInstanceUid)}"><code>${escapeHtml(r.studyInstanceUid)}</code></a></td>
          <td title="${escapeHtml(r.routing?.explanation.join('\n') ?? '')}">${escapeHtml(routingSummary(r))}</td>
          <td>${r.deliveries.length === 0 ? 'none' : r.deliveries.map((d) => deliveryLine(r.id, d)).join('<br>')}</td><td>${when(r.completedAt)}</td></tr>`),
        'No inference result is recorded yet.'),
      table('Imports from the PACS', 'imports', ['Started', 'By', 'Status', 'Progress'],
        data.pacsImports.items.map((i) => `<tr><td>${when(i.startedAt)}</td><td>${escapeHtml(i.startedBy)}</td><td>${i.status}</td>
          <td${i.leaseExpiresAt ? ` title="lease until ${when(i.leaseExpiresAt)}"` : ''}><progress max="${i.studyInstanceUids.length}" value="${i.studiesImported}"></progress> ${escapeHtml(importProgress(i))}</td></tr>`),
        'No import from the PACS was started.'),
      table('Access audit (newest first)', 'audit', ['When', 'Who', 'What', 'Outcome', 'Studies'],
        data.accessAudit.items.map((a) => `<tr><td>${when(a.at)}</td><td>${escapeHtml(a.userId)}</td><td class="wrap">${escapeHtml(a.operation)}</td>
          <td>${escapeHtml(a.outcomeDescription)}</td><td class="wrap">${a.studyInstanceUids.map((s) => `<code>${escapeHtml(s)}</code>`).join(' ')}</td></tr>`),
        'The audit holds no record yet.'),
    ].join('');
    window.clearTimeout(refresh);
    if (data.pacsImports.items.some((i) => i.status === 'RUNNING')) refresh = window.setTimeout(() => void load().catch((e) => showError(main, e)), 2000);
  };
  body.onclick = async (event) => {
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
  };
  await load();
}

function deliveryLine(resultId: string, d: Delivery): string {
  const line = `${escapeHtml(d.destination)}: ${d.status.toLowerCase().replace('_', ' ')} after ${d.attempts} attempt(s)` +
    (d.lastError ? ` — ${escapeHtml(d.lastError)}` : '');
  return d.status === 'DEAD_LETTERED'
    ? `${line} <button type="button" data-retry="${escapeHtml(resultId)}" data-destination="${escapeHtml(d.destination)}">Retry</button>`
    : line;
}
