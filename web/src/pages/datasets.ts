// Datasets: every dataset with its kind of label, label names, input channels and cases per label status, linked to the
// annotate and label-review pages for those who may open them. ML engineers (the only role the mutations allow) also
// create a dataset, define or redefine its labels and add cases from studies in the archive; a refusal is the API's
// message, shown in the form that sent it. Each dataset's own page, its cases and scoring jobs, is datasetCases.ts.

import { graphql } from '../api/graphql';
import { pagesFor, type Me } from '../api/session';
import type { DatasetLabel } from '../labels/datasetLabels';
import {
  channelsInput, labelRows, labelsInput, labelsText, maxVoxelValue, nextFreeValue, statusText, studyUidsInput,
  type DefinableKind, type LabelRow,
} from '../labels/datasetForm';
import {
  isScored, splitInput, splitText, strategies, strategyInput, strategyText, type ActiveLearning, type DatasetSplit, type ModelChoice,
} from '../labels/datasetSettings';
import { element, escapeHtml, showError } from '../ui';
import { addStudies, pasteCasesForm } from './addCases';

export interface DatasetRow {
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
  activeLearning: ActiveLearning | null;
  split: DatasetSplit | null;
}

export const datasetFields = 'id name description research createdBy createdAt labelKind labels { name value } channels labelStatusCounts { status count }'
  + ' activeLearning { strategy modelId } split { seed trainCaseIds validationCaseIds testCaseIds }';

/** How many datasets one page lists, newest first; "More datasets" goes on from the last. */
const shown = 50;

/** The datasets of one page, and the models (by name, the first 500) a scored strategy may name. */
async function loadDatasets(after: string | null): Promise<{ items: DatasetRow[]; next: string | null; models: ModelChoice[] }> {
  const { datasets, models } = await graphql<{
    datasets: { items: DatasetRow[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }; models: { items: ModelChoice[] };
  }>(
    `query($first: Int!, $after: String) { datasets(first: $first, after: $after) { items { ${datasetFields} } pageInfo { hasNextPage endCursor } }
      models(first: 500) { items { id name } } }`,
    { first: shown, after });
  return { items: datasets.items, next: datasets.pageInfo.hasNextPage ? datasets.pageInfo.endCursor : null, models: models.items };
}

/** The links of a dataset's row: those of its pages that the user's roles open. */
function links(dataset: DatasetRow, me: Me): string {
  const open = new Set(pagesFor(me.roles).map((page) => page.path));
  const id = encodeURIComponent(dataset.id);
  return [
    `<a href="/datasets?dataset=${id}" data-testid="open-cases">Cases</a>`,
    open.has('/annotate') ? `<a href="/annotate?dataset=${id}">Annotate</a>` : '',
    open.has('/review-labels') ? `<a href="/review-labels?dataset=${id}">Review labels</a>` : '',
  ].filter(Boolean).join(' ');
}

function datasetRow(dataset: DatasetRow, me: Me, engineer: boolean, models: ModelChoice[]): string {
  const kind = dataset.labelKind ? dataset.labelKind.toLowerCase() : '<em>not defined</em>';
  return `<tr data-testid="dataset" data-dataset-id="${dataset.id}">
    <th scope="row">${escapeHtml(dataset.name)}${dataset.research ? ' <small class="badge">research</small>' : ''}
      ${dataset.description ? `<br><small>${escapeHtml(dataset.description)}</small>` : ''}</th>
    <td data-testid="label-kind">${kind}</td>
    <td data-testid="labels">${dataset.labels.length > 0 ? escapeHtml(labelsText(dataset.labels)) : '—'}</td>
    <td data-testid="channels">${dataset.channels.length > 0 ? escapeHtml(dataset.channels.join(', ')) : 'one series'}</td>
    <td data-testid="cases">${escapeHtml(statusText(dataset.labelStatusCounts))}</td>
    <td data-testid="strategy">${escapeHtml(strategyText(dataset.activeLearning, models))}</td>
    <td data-testid="split">${escapeHtml(splitText(dataset.split))}</td>
    <td class="actions">${links(dataset, me)}
      ${engineer ? `<button type="button" data-action="define">Define labels</button> <button type="button" data-action="add-cases">Add cases</button>
        <button type="button" data-action="strategy">Active learning</button>${dataset.split ? '' : ' <button type="button" data-action="split">Fix split</button>'}` : ''}</td></tr>`;
}

function table(datasets: DatasetRow[], me: Me, engineer: boolean, models: ModelChoice[]): HTMLElement {
  return element(`<table class="datasets-list"><thead><tr><th scope="col">Dataset</th><th scope="col">Kind</th><th scope="col">Labels (voxel value)</th>
    <th scope="col">Channels</th><th scope="col">Cases</th><th scope="col">Next case by</th><th scope="col">Split</th>
    <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
    <tbody>${datasets.map((dataset) => datasetRow(dataset, me, engineer, models)).join('')}</tbody></table>`);
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
export async function submit(form: HTMLFormElement, send: () => Promise<void>): Promise<void> {
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

/**
 * Puts a form in a line under a table row (one such line at a time is the caller's rule) and focuses its first field;
 * its Cancel button or Escape removes the line and calls `closed`, which puts the focus back.
 */
export function formLineUnder(row: HTMLTableRowElement, form: HTMLFormElement, closed: () => void): HTMLTableRowElement {
  const line = element<HTMLTableRowElement>(`<tr class="form-line"><td colspan="${row.cells.length}"></td></tr>`);
  line.cells[0].append(form);
  row.after(line);
  form.querySelector<HTMLElement>('input:not([type=radio]), textarea, select, button[type=submit]')!.focus();
  const close = () => {
    line.remove();
    closed();
  };
  form.addEventListener('click', (event) => {
    if ((event.target as HTMLElement).closest('[data-action=close]')) close();
  });
  form.onkeydown = (event) => {
    if (event.key === 'Escape') close();
  };
  return line;
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

/** The strategy chooser: a model to score with is asked for only while a scored strategy is chosen. */
function strategyForm(dataset: DatasetRow, models: ModelChoice[]): HTMLFormElement {
  const current = dataset.activeLearning?.strategy ?? 'first';
  const options = strategies.map((strategy) => `<option value="${strategy.name}"${strategy.name === current ? ' selected' : ''}>${strategy.name}: ${escapeHtml(strategy.description)}</option>`);
  const modelOptions = models.length === 0
    ? '<option value="">no model registered yet (register one on the Models page)</option>'
    : `<option value="">choose a model</option>${models.map((model) => `<option value="${model.id}"${model.id === dataset.activeLearning?.modelId ? ' selected' : ''}>${escapeHtml(model.name)}</option>`).join('')}`;
  const form = element<HTMLFormElement>(`<form class="dataset-form" data-testid="set-strategy" aria-label="Active learning of ${escapeHtml(dataset.name)}">
    <h3>Active learning of ${escapeHtml(dataset.name)}</h3>
    <label>Next case by <select name="strategy">${options.join('')}</select></label>
    <label class="scoring-model">Scored by the production version of <select name="model">${modelOptions}</select></label>
    <p class="hint">The strategy orders the cases the annotate page's Next case hands out (rejected labels still come first).
      A scored strategy ranks them by what the model's version in production computes; scoring starts when it has one,
      and cases not scored yet come after the scored ones, oldest first.</p>
    <button type="submit" class="primary">Save strategy</button> <button type="button" data-action="close">Cancel</button>
    <div class="form-message" aria-live="polite"></div></form>`);
  const strategy = form.querySelector<HTMLSelectElement>('[name=strategy]')!;
  const model = form.querySelector<HTMLElement>('.scoring-model')!;
  const showModel = () => {
    model.hidden = !isScored(strategy.value);
  };
  strategy.addEventListener('change', showModel);
  showModel();
  return form;
}

/** Fixing the split: what it does and that it stays, from FixDatasetSplit's own account. */
function splitForm(dataset: DatasetRow): HTMLFormElement {
  return element<HTMLFormElement>(`<form class="dataset-form" data-testid="fix-split" aria-label="Split of ${escapeHtml(dataset.name)}">
    <h3>Fix the split of ${escapeHtml(dataset.name)}</h3>
    <p class="hint">Fixing divides the dataset's cases into train, validation and test once, by a shuffle of their studies
      with the seed, so that every model trained on the dataset is evaluated on the same held-out cases. <strong>It cannot
      be undone</strong>: to split differently, create a new dataset.</p>
    <label>Validation fraction <input name="validation" value="0.2" size="6" inputmode="decimal"></label>
    <label>Test fraction <input name="test" value="0.2" size="6" inputmode="decimal"></label>
    <label>Seed <input name="seed" value="42" size="10" inputmode="numeric"></label>
    <button type="submit" class="primary">Fix split</button> <button type="button" data-action="close">Cancel</button>
    <div class="form-message" aria-live="polite"></div></form>`);
}

export async function showDatasets(main: HTMLElement, me: Me, query: URLSearchParams): Promise<void> {
  const opened = query.get('dataset');
  if (opened) {
    const { showDatasetCases } = await import('./datasetCases');
    return showDatasetCases(main, me, opened, query);
  }
  const engineer = me.roles.includes('ml-engineer');
  main.innerHTML = '<h1>Datasets</h1><p data-testid="loading">Loading datasets…</p>';
  const after = query.get('after');
  let { items, next, models } = await loadDatasets(after);
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
      list.append(table(items, me, engineer, models));
    }
    if (next) list.append(element(`<p><a href="/datasets?after=${encodeURIComponent(next)}">More datasets</a></p>`));
  };
  // After a change the page is read again, so counts and labels are the API's, not the page's idea of them.
  const reload = async (done: string) => {
    ({ items, next, models } = await loadDatasets(after));
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
    const forms: Record<string, () => HTMLFormElement> = {
      define: () => labelsForm(dataset),
      'add-cases': () => pasteCasesForm(dataset),
      strategy: () => strategyForm(dataset, models),
      split: () => splitForm(dataset),
    };
    const form = forms[action]();
    formLineUnder(row, form, () => focusAction(datasetId, action));
    form.onsubmit = (event) => {
      event.preventDefault();
      const sends: Record<string, () => Promise<void>> = {
        define: () => defineLabels(form, dataset),
        'add-cases': () => addCases(form, dataset),
        strategy: () => setStrategy(form, dataset),
        split: () => fixSplit(form, dataset),
      };
      void submit(form, sends[action]);
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
    const done = await addStudies(dataset, studyUidsInput(new FormData(form).get('studies') as string));
    await reload(done);
    focusAction(dataset.id, 'add-cases');
  };

  const setStrategy = async (form: HTMLFormElement, dataset: DatasetRow) => {
    const fields = new FormData(form);
    const input = strategyInput(dataset.id, fields.get('strategy') as string, fields.get('model') as string);
    await graphql('mutation($input: SetActiveLearningStrategyInput!) { setActiveLearningStrategy(input: $input) { id } }', { input });
    await reload(`${dataset.name}: next case by ${input.strategy}.`);
    focusAction(dataset.id, 'strategy');
  };

  const fixSplit = async (form: HTMLFormElement, dataset: DatasetRow) => {
    const fields = new FormData(form);
    const input = { datasetId: dataset.id, ...splitInput(fields.get('validation') as string, fields.get('test') as string, fields.get('seed') as string) };
    await graphql('mutation($input: FixDatasetSplitInput!) { fixDatasetSplit(input: $input) { id } }', { input });
    await reload(`Split of ${dataset.name} fixed.`);
    focusAction(dataset.id, 'strategy');
  };

  list.onclick = (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('tr[data-dataset-id] button[data-action]');
    if (button) openForm(button.closest<HTMLElement>('tr')!.dataset.datasetId!, button.dataset.action!);
  };
}
