// One dataset's own page (/datasets?dataset=<id>): its cases, filtered by label status and assignee and paged, each with
// its study as the archive describes it, label status, assignment, split part, latest score and links by role; for ML
// engineers, assigning, releasing and removing a case, and adding studies picked from the archive or pasted. Below,
// the dataset's scoring jobs. A refusal is the API's message, shown where it was asked.

import { graphql } from '../api/graphql';
import { pagesFor, type Me } from '../api/session';
import { searchStudies, studiesByUidQuery, type StudySummary } from '../dicomweb/studies';
import {
  assignmentText, caseFilterOf, caseLinks, casesAddress, casesCountText, caseVariables, inSplit, labelStatuses, scoreText, splitPart,
  statusWord, type CaseFilter, type CaseRow,
} from '../labels/datasetCases';
import { studyUidsInput, labelsText } from '../labels/datasetForm';
import { splitText, strategyText } from '../labels/datasetSettings';
import { element, escapeHtml, showError } from '../ui';
import { addStudies, pasteCasesForm } from './addCases';
import { datasetFields, formLineUnder, submit, type DatasetRow } from './datasets';
import { showScoringJobs } from './scoringJobsList';
import { showStudyPicker } from './studyPicker';

/** How many cases one page lists. */
const pageSize = 25;

const caseFields = 'id studyInstanceUid addedAt labelStatus assignedTo assignmentExpiresAt score { method value scoredAt }';

interface CasesPage {
  items: CaseRow[];
  totalCount: number;
  next: string | null;
}

async function loadDataset(id: string): Promise<{ dataset: DatasetRow | null; models: { id: string; name: string }[] }> {
  const { dataset, models } = await graphql<{ dataset: DatasetRow | null; models: { items: { id: string; name: string }[] } }>(
    `query($id: ID!) { dataset(id: $id) { ${datasetFields} } models(first: 500) { items { id name } } }`, { id });
  return { dataset, models: models.items };
}

async function loadCases(datasetId: string, filter: CaseFilter, after: string | null): Promise<CasesPage> {
  const { cases } = await graphql<{ cases: { items: CaseRow[]; totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
    `query($dataset: ID!, $labelStatus: LabelStatus, $assignedTo: String, $first: Int, $after: String) {
      cases(dataset: $dataset, labelStatus: $labelStatus, assignedTo: $assignedTo, first: $first, after: $after) {
        items { ${caseFields} } totalCount pageInfo { hasNextPage endCursor } } }`,
    caseVariables(datasetId, filter, pageSize, after));
  return { items: cases.items, totalCount: cases.totalCount, next: cases.pageInfo.hasNextPage ? cases.pageInfo.endCursor : null };
}

/** The page's studies as the archive knows them; none when it cannot be asked (the cases are listed by UID then). */
async function describeStudies(uids: string[]): Promise<{ studies: Map<string, StudySummary>; problem: string | null }> {
  if (uids.length === 0) return { studies: new Map(), problem: null };
  try {
    const found = await searchStudies(studiesByUidQuery(uids));
    return { studies: new Map(found.map((study) => [study.studyInstanceUid, study])), problem: null };
  } catch (error) {
    return { studies: new Map(), problem: error instanceof Error ? error.message : String(error) };
  }
}

function studyCell(row: CaseRow, study: StudySummary | undefined): string {
  const uid = `<small class="uid">${escapeHtml(row.studyInstanceUid)}</small>`;
  if (!study) return `<em>not described by the archive</em><br>${uid}`;
  const who = [study.patientName, study.patientId && `(${study.patientId})`].filter(Boolean).join(' ');
  const what = [study.description, study.studyDate, study.modalities.join('/')].filter(Boolean).join(' · ');
  return `${escapeHtml(who || 'no patient name')}<br><small>${escapeHtml(what)}</small><br>${uid}`;
}

function caseLine(row: CaseRow, dataset: DatasetRow, study: StudySummary | undefined, openPaths: Set<string>, engineer: boolean): string {
  const links = caseLinks(row, dataset.id, openPaths).map((link) => `<a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a>`).join(' ');
  const actions = engineer
    ? `<button type="button" data-action="assign">Assign</button>${row.assignedTo ? ' <button type="button" data-action="release">Release</button>' : ''}
       <button type="button" data-action="remove">Remove</button>`
    : '';
  return `<tr data-testid="case" data-case-id="${escapeHtml(row.id)}" data-study="${escapeHtml(row.studyInstanceUid)}">
    <td class="study">${studyCell(row, study)}</td>
    <td data-testid="label-status">${escapeHtml(statusWord(row.labelStatus))}</td>
    <td data-testid="assigned">${escapeHtml(assignmentText(row))}</td>
    <td data-testid="part">${escapeHtml(splitPart(row.id, dataset.split))}</td>
    <td data-testid="score">${escapeHtml(scoreText(row.score))}</td>
    <td class="actions">${links} ${actions}</td></tr>`;
}

function filterForm(filter: CaseFilter): HTMLFormElement {
  const options = ['', ...labelStatuses].map((status) =>
    `<option value="${status}"${status === filter.status ? ' selected' : ''}>${status === '' ? 'any' : statusWord(status)}</option>`).join('');
  return element<HTMLFormElement>(`<form class="case-filters" data-testid="case-filters" aria-label="Filter cases">
    <label>Label status <select name="status">${options}</select></label>
    <label>Assigned to <input name="assignee" size="16" value="${escapeHtml(filter.assignee)}" placeholder="user name"></label>
    <button type="submit">Filter</button> ${filter.status !== '' || filter.assignee !== '' ? '<a href="?" data-action="clear">Show all cases</a>' : ''}</form>`);
}

/** What removing does, from RemoveCase's own account; a case in the fixed split is refused by the API, not hidden here. */
function removeConfirmation(row: CaseRow, dataset: DatasetRow): string {
  const held = inSplit(row.id, dataset.split)
    ? ' <strong>This case is in the fixed split, which does not change: labeling will refuse to remove it.</strong>'
    : '';
  return `<form class="dataset-form" data-testid="remove-case" aria-label="Remove case">
    <p class="hint">Removing takes the case of study ${escapeHtml(row.studyInstanceUid)} out of ${escapeHtml(dataset.name)}: the
      dataset no longer lists or counts it and Next case no longer hands it out. Its labels and history stay in the event
      store, and the study can be added again as a new case.${held}</p>
    <button type="submit" class="primary">Remove case</button> <button type="button" data-action="close">Keep it</button>
    <div class="form-message" aria-live="polite"></div></form>`;
}

function assignForm(row: CaseRow): string {
  return `<form class="dataset-form" data-testid="assign-case" aria-label="Assign case">
    <label>Assign to (user name) <input name="assignee" required maxlength="200" size="20" value="${escapeHtml(row.assignedTo ?? '')}"></label>
    <button type="submit" class="primary">Assign</button> <button type="button" data-action="close">Cancel</button>
    <p class="hint">The case stays theirs until it is released (Next case does not hand it to anyone else).</p>
    <div class="form-message" aria-live="polite"></div></form>`;
}

export async function showDatasetCases(main: HTMLElement, me: Me, datasetId: string, query: URLSearchParams): Promise<void> {
  const engineer = me.roles.includes('ml-engineer');
  const openPaths = new Set(pagesFor(me.roles).map((page) => page.path));
  const filter = caseFilterOf(query);
  const after = query.get('after');
  main.classList.add('datasets');
  main.innerHTML = '<h1>Dataset</h1><p data-testid="loading">Loading the dataset and its cases…</p>';
  let { dataset, models } = await loadDataset(datasetId);
  if (!dataset) {
    main.innerHTML = '<h1>Dataset not found</h1>';
    main.append(element(`<p role="alert">No dataset has the id ${escapeHtml(datasetId)}: it may have been mistyped. <a href="/datasets">Choose one from the list of datasets.</a></p>`));
    return;
  }
  main.innerHTML = '';
  const heading = element(`<h1>${escapeHtml(dataset.name)}</h1>`);
  const summary = element('<p class="hint" data-testid="dataset-summary"></p>');
  const message = element('<p class="message" data-testid="message" aria-live="polite"></p>');
  const casesSection = element('<section data-testid="cases" aria-labelledby="cases-heading"><h2 id="cases-heading">Cases</h2></section>');
  const listHost = element('<div></div>');
  casesSection.append(filterForm(filter), listHost);
  main.append(heading, summary, message, casesSection);
  const describe = (current: DatasetRow) => {
    summary.innerHTML = `<a href="/datasets">All datasets</a> · ${current.labelKind ? escapeHtml(current.labelKind.toLowerCase()) : 'labels not defined'}`
      + `${current.labels.length > 0 ? `: ${escapeHtml(labelsText(current.labels))}` : ''} · next case by ${escapeHtml(strategyText(current.activeLearning, models))}`
      + ` · split ${escapeHtml(splitText(current.split))}`;
  };
  describe(dataset);

  let page: CasesPage = { items: [], totalCount: 0, next: null };
  const render = async () => {
    const current = dataset!;
    const { studies, problem } = await describeStudies(page.items.map((row) => row.studyInstanceUid));
    listHost.replaceChildren();
    listHost.append(element(`<p data-testid="case-count">${escapeHtml(casesCountText(page.totalCount, filter))}</p>`));
    if (problem) listHost.append(element(`<p class="hint" data-testid="studies-problem">Studies are shown by UID only: ${escapeHtml(problem)}</p>`));
    if (page.items.length === 0) {
      const empty = filter.status !== '' || filter.assignee !== ''
        ? 'No case matches these filters.'
        : `No case yet.${engineer ? ' Add studies from the archive below.' : ' An ML engineer adds studies to the dataset on this page.'}`;
      listHost.append(element(`<p data-testid="no-cases">${escapeHtml(empty)}</p>`));
    } else {
      listHost.append(element(`<table class="cases-list"><thead><tr><th scope="col">Study</th><th scope="col">Label</th>
        <th scope="col">Assigned to</th><th scope="col">Split</th><th scope="col">Score</th><th scope="col"><span class="visually-hidden">Links and actions</span></th></tr></thead>
        <tbody>${page.items.map((row) => caseLine(row, current, studies.get(row.studyInstanceUid), openPaths, engineer)).join('')}</tbody></table>`));
    }
    const paging = [after ? `<a href="${escapeHtml(casesAddress(current.id, filter))}">First page</a>` : '',
      page.next ? `<a href="${escapeHtml(casesAddress(current.id, filter, page.next))}">Next ${pageSize} cases</a>` : ''].filter(Boolean).join(' · ');
    if (paging) listHost.append(element(`<p class="paging">${paging}</p>`));
  };
  // After a change the dataset and its cases are read again, so what is shown is labeling's, not the page's idea of it.
  const reload = async (done: string) => {
    ({ dataset, models } = await loadDataset(datasetId));
    if (dataset) describe(dataset);
    page = await loadCases(datasetId, filter, after);
    await render();
    message.textContent = done;
  };
  try {
    page = await loadCases(datasetId, filter, after);
    await render();
  } catch (error) {
    listHost.replaceChildren();
    showError(listHost, error);
  }

  const filters = casesSection.querySelector<HTMLFormElement>('[data-testid=case-filters]')!;
  filters.onsubmit = (event) => {
    event.preventDefault();
    const fields = new FormData(filters);
    location.assign(casesAddress(datasetId, { status: fields.get('status') as string, assignee: (fields.get('assignee') as string).trim() }));
  };
  filters.querySelector<HTMLAnchorElement>('[data-action=clear]')?.setAttribute('href', casesAddress(datasetId, { status: '', assignee: '' }));

  if (engineer) {
    listHost.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('tr[data-case-id] button[data-action]');
      if (!button) return;
      const row = page.items.find((item) => item.id === button.closest<HTMLElement>('tr')!.dataset.caseId);
      if (row) void caseAction(button.dataset.action!, row, button);
    });
    const picker = element('<section data-testid="add-studies" aria-labelledby="add-heading"><h2 id="add-heading">Add studies from the archive</h2></section>');
    const paste = pasteCasesForm(dataset);
    paste.querySelector('[data-action=close]')?.remove();
    main.append(picker);
    showStudyPicker(picker, dataset, async (done) => reload(done));
    picker.append(paste);
    paste.onsubmit = (event) => {
      event.preventDefault();
      void submit(paste, async () => {
        const done = await addStudies(dataset!, studyUidsInput(new FormData(paste).get('studies') as string));
        paste.reset();
        await reload(done);
      });
    };
  }
  const jobs = element('<section data-testid="scoring-jobs" aria-labelledby="jobs-heading"><h2 id="jobs-heading">Scoring jobs</h2></section>');
  main.append(jobs);
  void showScoringJobs(jobs, dataset);

  /** Opens an action's form in a line under the case (one at a time); Escape or its Cancel closes it. */
  async function caseAction(action: string, row: CaseRow, button: HTMLButtonElement): Promise<void> {
    listHost.querySelector('tr.form-line')?.remove();
    if (action === 'release') {
      message.textContent = '';
      try {
        await graphql('mutation($input: ReleaseCaseInput!) { releaseCase(input: $input) { id } }', { input: { caseId: row.id } });
        await reload(`Case of study ${row.studyInstanceUid} released: Next case may hand it to anyone.`);
      } catch (error) {
        message.replaceChildren();
        showError(message, error);
      }
      return;
    }
    const form = element<HTMLFormElement>(action === 'assign' ? assignForm(row) : removeConfirmation(row, dataset!));
    formLineUnder(button.closest<HTMLTableRowElement>('tr')!, form, () => button.focus());
    form.onsubmit = (event) => {
      event.preventDefault();
      void submit(form, action === 'assign'
        ? async () => {
          const assignee = (new FormData(form).get('assignee') as string).trim();
          await graphql('mutation($input: AssignCaseInput!) { assignCase(input: $input) { id } }', { input: { caseId: row.id, assignee } });
          await reload(`Case of study ${row.studyInstanceUid} assigned to ${assignee}.`);
        }
        : async () => {
          await graphql('mutation($input: RemoveCaseInput!) { removeCase(input: $input) }', { input: { caseId: row.id } });
          await reload(`Case of study ${row.studyInstanceUid} removed from ${dataset!.name}.`);
        });
    };
  }
}
