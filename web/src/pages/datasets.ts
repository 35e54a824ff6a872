// Datasets: every dataset with its kind of label, label names, input channels and cases per label status, linked to the
// annotate and label-review pages for those who may open them. ML engineers (the only role the mutations allow) also
// create a dataset, define or redefine its labels and add cases from studies in the archive; a refusal is the API's
// message, shown in the form that sent it.

import { graphql } from '../api/graphql';
import { pagesFor, type Me } from '../api/session';
import type { DatasetLabel } from '../labels/datasetLabels';
import {
  addedText, channelsInput, labelRows, labelsInput, labelsText, maxVoxelValue, nextFreeValue, statusText, studyUidsInput,
  type DefinableKind, type LabelRow,
} from '../labels/datasetForm';
import { element, escapeHtml, showError } from '../ui';

interface DatasetRow {
  id: string;
  name: string;
  description: string;
  research: boolean;
  createdBy: string;
  createdAt: string;
  labelKind: DefinableKind | 'DETECTION' | null;
  labels: DatasetLabel[];
  channels: string[];
  labelStatusCounts: { status: string; count: number }[];
}

const datasetFields = 'id name description research createdBy createdAt labelKind labels { name value } channels labelStatusCounts { status count }';

/** How many datasets one page lists, newest first; "More datasets" goes on from the last. */
const shown = 50;

async function loadDatasets(after: string | null): Promise<{ items: DatasetRow[]; next: string | null }> {
  const { datasets } = await graphql<{ datasets: { items: DatasetRow[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
    `query($first: Int!, $after: String) { datasets(first: $first, after: $after) { items { ${datasetFields} } pageInfo { hasNextPage endCursor } } }`,
    { first: shown, after });
  return { items: datasets.items, next: datasets.pageInfo.hasNextPage ? datasets.pageInfo.endCursor : null };
}

/** The links of a dataset's row: those of its pages that the user's roles open. */
function links(dataset: DatasetRow, me: Me): string {
  const open = new Set(pagesFor(me.roles).map((page) => page.path));
  const id = encodeURIComponent(dataset.id);
  return [
    open.has('/annotate') ? `<a href="/annotate?dataset=${id}">Annotate</a>` : '',
    open.has('/review-labels') ? `<a href="/review-labels?dataset=${id}">Review labels</a>` : '',
  ].filter(Boolean).join(' ');
}

function datasetRow(dataset: DatasetRow, me: Me, engineer: boolean): string {
  const kind = dataset.labelKind ? dataset.labelKind.toLowerCase() : '<em>not defined</em>';
  return `<tr data-testid="dataset" data-dataset-id="${dataset.id}">
    <th scope="row">${escapeHtml(dataset.name)}${dataset.research ? ' <small class="badge">research</small>' : ''}
      ${dataset.description ? `<br><small>${escapeHtml(dataset.description)}</small>` : ''}</th>
    <td data-testid="label-kind">${kind}</td>
    <td data-testid="labels">${dataset.labels.length > 0 ? escapeHtml(labelsText(dataset.labels)) : '—'}</td>
    <td data-testid="channels">${dataset.channels.length > 0 ? escapeHtml(dataset.channels.join(', ')) : 'one series'}</td>
    <td data-testid="cases">${escapeHtml(statusText(dataset.labelStatusCounts))}</td>
    <td class="actions">${links(dataset, me)}
      ${engineer ? `<button type="button" data-action="define">Define labels</button> <button type="button" data-action="add-cases">Add cases</button>` : ''}</td></tr>`;
}

function table(datasets: DatasetRow[], me: Me, engineer: boolean): HTMLElement {
  return element(`<table class="datasets-list"><thead><tr><th scope="col">Dataset</th><th scope="col">Kind</th><th scope="col">Labels (voxel value)</th>
    <th scope="col">Channels</th><th scope="col">Cases</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
    <tbody>${datasets.map((dataset) => datasetRow(dataset, me, engineer)).join('')}</tbody></table>`);
}

/** A form's own message line: what it did, or the API's refusal (what to do), next to the form that was sent. */
function formMessage(form: HTMLFormElement): HTMLElement {
  return form.querySelector<HTMLElement>('.form-message')!;
}

function say(form: HTMLFormElement, error: unknown): void {
  const message = formMessage(form);
  message.replaceChildren();
  showError(message, error);
}

/** Runs a form's mutation with its submit button disabled; a refusal is shown in the form and `done` is not called. */
async function submit(form: HTMLFormElement, send: () => Promise<void>): Promise<void> {
  const button = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
  button.disabled = true;
  formMessage(form).replaceChildren();
  try {
    await send();
  } catch (error) {
    say(form, error);
  } finally {
    button.disabled = false;
  }
}

function createForm(): HTMLFormElement {
  return element<HTMLFormElement>(`<form class="dataset-form" data-testid="create-dataset" aria-labelledby="create-heading">
    <h2 id="create-heading">New dataset</h2>
    <label>Name <input name="name" required maxlength="200" size="30"></label>
    <label>Description <input name="description" size="40"></label>
    <label><input type="checkbox" name="research"> Research (studies are de-identified as they are added)</label>
    <button type="submit" class="primary">Create dataset</button>
    <div class="form-message" aria-live="polite"></div></form>`);
}

function labelLine(row: LabelRow, index: number): string {
  return `<li><input name="label-name" aria-label="Label ${index + 1} name" value="${escapeHtml(row.name)}" maxlength="100" size="24">
    <input name="label-value" class="voxel-value" type="number" min="1" max="${maxVoxelValue}" aria-label="Label ${index + 1} voxel value"
      value="${escapeHtml(row.value)}">
    <button type="button" data-action="remove-label" aria-label="Remove label ${index + 1}">Remove</button></li>`;
}

/** The label editor of one dataset, filled with its labels as defined now (segmentation when none are). */
function labelsForm(dataset: DatasetRow): HTMLFormElement {
  const kind: DefinableKind = dataset.labelKind === 'CLASSIFICATION' ? 'CLASSIFICATION' : 'SEGMENTATION';
  const form = element<HTMLFormElement>(`<form class="dataset-form" data-testid="define-labels" data-kind="${kind}"
    aria-label="Labels of ${escapeHtml(dataset.name)}">
    <h3>Labels of ${escapeHtml(dataset.name)}</h3>
    ${dataset.labels.length > 0 ? '<p class="hint">Saving replaces the labels defined now; revisions already saved keep the names they were saved with.</p>' : ''}
    <fieldset><legend>Kind of label</legend>
      <label><input type="radio" name="kind" value="SEGMENTATION"${kind === 'SEGMENTATION' ? ' checked' : ''}> Segmentation (a mask: one voxel value per label)</label>
      <label><input type="radio" name="kind" value="CLASSIFICATION"${kind === 'CLASSIFICATION' ? ' checked' : ''}> Classification (true or false per label)</label>
    </fieldset>
    <p class="hint voxel-hint">Each segmentation label is a voxel value of the mask, 1 to ${maxVoxelValue} (0 is background).</p>
    <ol class="label-lines">${labelRows(dataset.labels).map(labelLine).join('')}</ol>
    <button type="button" data-action="add-label">Add label</button>
    <label class="channels">Channels, in order (optional) <input name="channels" size="36" placeholder="T1, T1c, T2, FLAIR"
      value="${escapeHtml(dataset.channels.join(', '))}"></label>
    <p class="hint">For a label drawn over several series of a study (a brain MRI's sequences), name its input channels in
      the order training reads them, separated by commas. The annotate page matches each channel to one of the study's
      series by its Series Description and asks the annotator when it cannot tell. Leave empty for a label over one series.</p>
    <button type="submit" class="primary">Save labels</button> <button type="button" data-action="close">Cancel</button>
    <div class="form-message" aria-live="polite"></div></form>`);
  const lines = form.querySelector<HTMLOListElement>('.label-lines')!;
  const rows = () => typedRows(form);
  const redraw = (next: LabelRow[]) => {
    lines.innerHTML = next.map(labelLine).join('');
  };
  form.onchange = (event) => {
    if ((event.target as HTMLInputElement).name === 'kind') form.dataset.kind = new FormData(form).get('kind') as string;
  };
  form.addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
    if (button?.dataset.action === 'add-label') {
      const current = rows();
      redraw([...current, { name: '', value: nextFreeValue(current)?.toString() ?? '' }]);
      lines.querySelector<HTMLInputElement>('li:last-child [name=label-name]')!.focus();
    } else if (button?.dataset.action === 'remove-label') {
      const index = [...lines.children].indexOf(button.closest('li')!);
      redraw(rows().filter((_, i) => i !== index));
      form.querySelector<HTMLButtonElement>('[data-action=add-label]')!.focus();
    }
  });
  return form;
}

/** The label editor's lines as typed. */
function typedRows(form: HTMLFormElement): LabelRow[] {
  return [...form.querySelectorAll('.label-lines li')].map((line) => ({
    name: line.querySelector<HTMLInputElement>('[name=label-name]')!.value,
    value: line.querySelector<HTMLInputElement>('[name=label-value]')!.value,
  }));
}

function addCasesForm(dataset: DatasetRow): HTMLFormElement {
  return element<HTMLFormElement>(`<form class="dataset-form" data-testid="add-cases" aria-label="Add cases to ${escapeHtml(dataset.name)}">
    <h3>Add cases to ${escapeHtml(dataset.name)}</h3>
    <label>Study Instance UIDs, one per line <textarea name="studies" rows="4" cols="70" required></textarea></label>
    <p class="hint">Each study must be in the archive already (sent to the DICOM listener, stored by STOW-RS, or imported
      from a PACS); studies the dataset holds already are skipped.</p>
    <button type="submit" class="primary">Add cases</button> <button type="button" data-action="close">Cancel</button>
    <div class="form-message" aria-live="polite"></div></form>`);
}

export async function showDatasets(main: HTMLElement, me: Me, query: URLSearchParams): Promise<void> {
  const engineer = me.roles.includes('ml-engineer');
  main.innerHTML = '<h1>Datasets</h1><p data-testid="loading">Loading datasets…</p>';
  const after = query.get('after');
  let { items, next } = await loadDatasets(after);
  main.innerHTML = '<h1>Datasets</h1>';
  main.classList.add('datasets');
  const message = element('<p class="message" data-testid="message" aria-live="polite"></p>');
  const list = element('<section data-testid="datasets" aria-label="Datasets"></section>');
  if (engineer) main.append(createForm());
  else main.append(element('<p class="hint">ML engineers create datasets and define their labels here.</p>'));
  main.append(message, list);

  const render = () => {
    list.replaceChildren();
    if (items.length === 0) {
      list.append(element(`<p>No dataset exists yet.${engineer ? ' Create one above.' : ' An ML engineer creates one on this page.'}</p>`));
    } else {
      list.append(table(items, me, engineer));
    }
    if (next) list.append(element(`<p><a href="/datasets?after=${encodeURIComponent(next)}">More datasets</a></p>`));
  };
  // After a change the page is read again, so counts and labels are the API's, not the page's idea of them.
  const reload = async (done: string) => {
    ({ items, next } = await loadDatasets(after));
    render();
    message.textContent = done;
  };
  render();
  if (!engineer) return;

  const createDataset = main.querySelector<HTMLFormElement>('[data-testid=create-dataset]')!;
  createDataset.onsubmit = (event) => {
    event.preventDefault();
    const fields = new FormData(createDataset);
    void submit(createDataset, async () => {
      const { createDataset: created } = await graphql<{ createDataset: DatasetRow }>(
        'mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id name } }',
        { input: { name: fields.get('name'), description: fields.get('description'), research: fields.get('research') === 'on' } });
      createDataset.reset();
      await reload(`Dataset ${created.name} created: define its labels, then add cases.`);
      openForm(created.id, 'define');
    });
  };

  const focusAction = (datasetId: string, action: string) =>
    list.querySelector<HTMLButtonElement>(`tr[data-dataset-id="${datasetId}"] button[data-action="${action}"]`)?.focus();

  /** Opens a dataset's form in a line under its row (one form at a time) and focuses its first field. */
  const openForm = (datasetId: string, action: string) => {
    list.querySelector('tr.form-line')?.remove();
    const row = list.querySelector<HTMLTableRowElement>(`tr[data-dataset-id="${datasetId}"]`);
    const dataset = items.find((d) => d.id === datasetId);
    if (!row || !dataset) return;
    const form = action === 'define' ? labelsForm(dataset) : addCasesForm(dataset);
    const line = element<HTMLTableRowElement>(`<tr class="form-line"><td colspan="${row.cells.length}"></td></tr>`);
    line.cells[0].append(form);
    row.after(line);
    form.querySelector<HTMLElement>('input:not([type=radio]), textarea')!.focus();
    const close = () => {
      line.remove();
      focusAction(datasetId, action);
    };
    form.addEventListener('click', (event) => {
      if ((event.target as HTMLElement).closest('[data-action=close]')) close();
    });
    form.onkeydown = (event) => {
      if (event.key === 'Escape') close();
    };
    form.onsubmit = (event) => {
      event.preventDefault();
      void submit(form, action === 'define' ? () => defineLabels(form, dataset) : () => addCases(form, dataset));
    };
  };

  const defineLabels = async (form: HTMLFormElement, dataset: DatasetRow) => {
    const kind = new FormData(form).get('kind') as DefinableKind;
    const input = { datasetId: dataset.id, kind, labels: labelsInput(kind, typedRows(form)), channels: channelsInput(new FormData(form).get('channels') as string) };
    await graphql('mutation($input: DefineDatasetLabelsInput!) { defineDatasetLabels(input: $input) { id } }', { input });
    await reload(`Labels of ${dataset.name} saved.`);
    focusAction(dataset.id, 'define');
  };

  const addCases = async (form: HTMLFormElement, dataset: DatasetRow) => {
    const studyInstanceUids = studyUidsInput(new FormData(form).get('studies') as string);
    const { addCases: added } = await graphql<{ addCases: { id: string }[] }>(
      'mutation($input: AddCasesInput!) { addCases(input: $input) { id } }', { input: { datasetId: dataset.id, studyInstanceUids } });
    await reload(`${dataset.name}: ${addedText(studyInstanceUids.length, added.length)}`);
    focusAction(dataset.id, 'add-cases');
  };

  list.onclick = (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('tr[data-dataset-id] button[data-action]');
    if (button) openForm(button.closest<HTMLElement>('tr')!.dataset.datasetId!, button.dataset.action!);
  };
}
