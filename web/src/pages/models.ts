// The model registry: each model's versions with stage, metrics, lineage, how they did in shadow and the studies whose
// result radiologists corrected, training jobs with
// their loss curves updating live (the trainingProgress subscription), and, for ML engineers, promote, roll back, run a
// candidate in shadow or stop it, and cancel a training job.

import { graphql } from '../api/graphql';
import type { Me } from '../api/session';
import { subscribe } from '../api/subscriptions';
import { element, escapeHtml, showError } from '../ui';
import { lossCurve, type EpochPoint } from './lossCurve';
import { formatMetrics } from './modelMetrics';
import { changeInput, confirmationQuestion, maxReasonLength, type ChangeTarget, type ProductionAction } from './productionChange';
import { timelineBars, type ProductionPeriod } from './productionTimeline';
import { shadowHeadline, shadowLine, shadowSummary, type ModelShadow } from './shadowSummary';
import { compareVersions, type ComparedVersion } from './versionComparison';

/** A version with the studies it inferred whose result a radiologist corrected. */
type VersionRow = ComparedVersion & { correctedStudies: string[] };

interface ModelRow {
  id: string;
  name: string;
  task: string;
  version: number;
  productionVersion: { id: string } | null;
  shadow: ModelShadow | null;
  versions: VersionRow[];
  productionHistory: ProductionPeriod[];
}

interface JobRow {
  id: string;
  modelId: string;
  status: string;
  trigger: string;
  requestedAt: string;
  progress: EpochPoint[];
}

const modelFields = `id name task version productionVersion { id } shadow { version { id number } shadowedBy shadowedAt }
  versions { id number stage registeredAt metrics { name value }
  lineage { baseVersionId labelRevisionIds feedbackIds dataCut codeVersion }
  evaluation { sets { split metric caseCount candidate production } gateFailure }
  shadowReport { studies since lastRecordedAt meanAgreementWithProduction labels { label agreement }
    feedback { studies meanAgreement corrected correctedCompared } }
  correctedStudies }
  productionHistory { version { id number } from to change changedBy byGate reason }`;

/**
 * A confirmation with an optional reason (none asked where the mutation takes none), placed by `place` (after a model's
 * heading, inside a job's line); it resolves to the reason ('' when none is asked), or null if cancelled (Escape or Cancel).
 */
function confirmWithReason(place: (form: HTMLFormElement) => void, action: string, question: string, verb: string, askReason = true): Promise<string | null> {
  document.querySelector('[data-testid=confirm-change]')?.remove();
  const form = element<HTMLFormElement>(`<form class="confirm-change" data-testid="confirm-change" data-action="${action}">
    <p>${escapeHtml(question)}</p>
    ${askReason ? `<label>Reason (optional) <input name="reason" maxlength="${maxReasonLength}" size="50"></label>` : ''}
    <button type="submit">${verb}</button> <button type="button" data-cancel>Cancel</button></form>`);
  place(form);
  const reason = form.querySelector<HTMLInputElement>('input[name=reason]');
  (reason ?? form.querySelector<HTMLButtonElement>('button[type=submit]')!).focus();
  return new Promise((resolve) => {
    form.onsubmit = (event) => {
      event.preventDefault();
      form.remove();
      resolve(reason?.value ?? '');
    };
    const cancel = () => {
      form.remove();
      resolve(null);
    };
    form.querySelector<HTMLButtonElement>('[data-cancel]')!.onclick = cancel;
    form.onkeydown = (event) => {
      if (event.key === 'Escape') cancel();
    };
  });
}

/** The confirmation of a promotion or rollback, under the model's heading. */
const confirmChange = (section: HTMLElement, action: ProductionAction, target: ChangeTarget) =>
  confirmWithReason((form) => section.querySelector('h2')!.after(form), action, confirmationQuestion(action, target),
    action === 'promote' ? 'Promote' : 'Roll back');

function lineageText(version: VersionRow, model: ModelRow): string {
  const lineage = version.lineage;
  const base = model.versions.find((v) => v.id === lineage.baseVersionId);
  return [lineage.baseVersionId ? `from v${base?.number ?? '?'}` : 'from scratch', `${lineage.labelRevisionIds.length} label revisions`,
    `${lineage.feedbackIds.length} feedback`, lineage.dataCut != null ? `data cut ${lineage.dataCut}` : '', lineage.codeVersion].filter(Boolean).join(' · ');
}

/** A version's shadow report: a one-line summary that opens to its rows; empty before it ran in shadow. */
function shadowReportCell(version: VersionRow): string {
  const report = version.shadowReport;
  if (!report) return '';
  return `<details data-testid="shadow-report"><summary>${escapeHtml(shadowHeadline(report))}</summary><table><tbody>
    ${shadowSummary(report).map((row) => `<tr><th scope="row">${escapeHtml(row.label)}</th><td>${escapeHtml(row.value)}</td></tr>`).join('')}</tbody></table></details>`;
}

/**
 * The studies whose result from this version a radiologist corrected: their count, opening to the list, each linked to
 * the study viewer (and, for a radiologist, to its review page, which shows the result and the correction).
 */
function correctedCell(version: VersionRow, radiologist: boolean): string {
  const studies = version.correctedStudies;
  if (studies.length === 0) return '<span data-testid="corrected">none</span>';
  return `<details data-testid="corrected"><summary>${studies.length} ${studies.length === 1 ? 'study' : 'studies'}</summary><ul>${studies
    .map((study) => `<li><a href="/viewer?study=${encodeURIComponent(study)}" title="Open in the viewer"><code>${escapeHtml(study)}</code></a>${radiologist
      ? ` <a href="/review?study=${encodeURIComponent(study)}">review</a>` : ''}</li>`).join('')}</ul></details>`;
}

/** An ML engineer's buttons for a candidate: promote it, and run it in shadow unless it already runs there. */
function candidateButtons(version: VersionRow, model: ModelRow): string {
  if (version.stage !== 'CANDIDATE') return '';
  return `<button type="button" data-action="promote" data-version-id="${version.id}">Promote v${version.number}</button>
    ${model.shadow?.version.id === version.id ? '' : `<button type="button" data-action="shadow" data-version-id="${version.id}">Run v${version.number} in shadow</button>`}`;
}

function modelSection(model: ModelRow, engineer: boolean, radiologist: boolean): HTMLElement {
  const section = element(`<section class="model" data-testid="model" data-model-id="${model.id}"><h2>${escapeHtml(model.name)} <small>${escapeHtml(model.task)}</small>
    ${engineer && model.productionVersion ? '<button type="button" data-action="rollback">Roll back</button>' : ''}</h2>
    <p class="shadow" data-testid="shadow" data-version-id="${model.shadow?.version.id ?? ''}">${escapeHtml(shadowLine(model.shadow))}
      ${engineer && model.shadow ? '<button type="button" data-action="stop-shadow">Stop shadow</button>' : ''}</p>
    ${model.versions.length === 0 ? '<p>No version yet.</p>' : `<table><thead><tr><th>Version</th><th>Stage</th><th>Metrics</th><th>Lineage</th><th>Registered</th><th>Shadow</th><th>Corrected</th>${engineer ? '<th></th>' : ''}</tr></thead><tbody>
    ${[...model.versions].reverse().map((v) => `<tr class="${v.stage.toLowerCase()}" data-version-id="${v.id}"><td>${v.number}</td><td data-testid="stage">${v.stage}</td>
      <td>${escapeHtml(formatMetrics(v.metrics))}</td><td>${escapeHtml(lineageText(v, model))}</td><td>${new Date(v.registeredAt).toLocaleString()}</td>
      <td>${model.shadow?.version.id === v.id ? '<strong data-testid="in-shadow">in shadow now</strong> ' : ''}${shadowReportCell(v)}</td>
      <td>${correctedCell(v, radiologist)}</td>${engineer ? `<td>${candidateButtons(v, model)}</td>` : ''}</tr>`).join('')}
    </tbody></table>`}</section>`);
  if (model.productionHistory.length > 0) section.append(timeline(model));
  if (model.versions.length >= 2) section.append(comparison(model));
  return section;
}

/**
 * The production history as bars on a time axis (oldest left, now at the right end), the current version marked. Each
 * bar is a list item a keyboard reaches (Tab) and a screen reader reads by its label; focusing or pointing at one shows
 * its label below the axis.
 */
function timeline(model: ModelRow): HTMLElement {
  const now = new Date();
  const bars = timelineBars(model.productionHistory, now);
  const heading = `timeline-${model.id}`;
  const section = element(`<section class="timeline" data-testid="production-timeline" aria-labelledby="${heading}">
    <h3 id="${heading}">Production history</h3><ol class="timeline-bars"></ol>
    <div class="timeline-axis" aria-hidden="true"><span>${escapeHtml(new Date(bars[0].period.from).toLocaleString())}</span><span>now</span></div>
    <p class="timeline-detail" aria-live="polite"></p></section>`);
  const list = section.querySelector('ol')!;
  const detail = section.querySelector<HTMLElement>('.timeline-detail')!;
  for (const bar of bars) {
    const { period } = bar;
    const item = element(`<li data-testid="production-period" tabindex="0" class="${period.change.toLowerCase()}${bar.current ? ' current' : ''}"
      data-version-id="${period.version.id}" data-version-number="${period.version.number}" data-from="${escapeHtml(period.from)}"
      data-to="${escapeHtml(period.to ?? '')}" data-change="${period.change}" data-changed-by="${escapeHtml(period.changedBy)}"
      data-by-gate="${period.byGate}"${bar.current ? ' aria-current="true"' : ''} aria-label="${escapeHtml(bar.label)}"
      title="${escapeHtml(bar.label)}"><span aria-hidden="true">v${period.version.number}</span></li>`);
    item.style.left = `${bar.left}%`;
    item.style.width = `${bar.width}%`;
    item.onfocus = item.onmouseenter = () => { detail.textContent = bar.label; };
    list.append(item);
  }
  detail.textContent = bars[bars.length - 1].label;
  return section;
}

/**
 * Two of the model's versions side by side: production (else the newest but one) against the newest other version at
 * first; either can be chosen.
 */
function comparison(model: ModelRow): HTMLElement {
  const newest = [...model.versions].reverse();
  const first = newest.find((v) => v.id === model.productionVersion?.id) ?? newest[1];
  const second = newest.find((v) => v.id !== first.id)!;
  const options = (chosen: string) => newest.map((v) => `<option value="${v.id}"${v.id === chosen ? ' selected' : ''}>v${v.number} (${v.stage.toLowerCase()})</option>`).join('');
  const section = element(`<section class="compare" data-testid="compare"><h3>Compare versions</h3>
    <label>First <select data-compare="first" aria-label="First version">${options(first.id)}</select></label>
    <label>Second <select data-compare="second" aria-label="Second version">${options(second.id)}</select></label>
    <div data-testid="comparison"></div></section>`);
  const draw = () => {
    const pick = (which: string) => model.versions.find((v) => v.id === section.querySelector<HTMLSelectElement>(`[data-compare=${which}]`)!.value)!;
    const [a, b] = [pick('first'), pick('second')];
    section.querySelector('[data-testid=comparison]')!.innerHTML = `<table><thead><tr><th scope="col"></th><th scope="col">v${a.number}</th>
      <th scope="col">v${b.number}</th><th scope="col">difference</th></tr></thead><tbody>${compareVersions(a, b)
      .map((row) => `<tr><th scope="row">${escapeHtml(row.label)}</th><td>${escapeHtml(row.first)}</td><td>${escapeHtml(row.second)}</td>
        <td>${escapeHtml(row.difference)}</td></tr>`).join('')}</tbody></table>`;
  };
  section.onchange = draw;
  draw();
  return section;
}

/** A job's line; an ML engineer can cancel a job that is waiting or running. */
function jobSection(job: JobRow, modelName: string, engineer: boolean): HTMLElement {
  const last = job.progress[job.progress.length - 1];
  const cancellable = engineer && (job.status === 'REQUESTED' || job.status === 'RUNNING');
  return element(`<li class="job" data-testid="job" data-job-id="${job.id}" data-epoch="${last?.epoch ?? 0}" data-status="${job.status}">
    <strong>${escapeHtml(modelName)}</strong> · ${job.status} · ${escapeHtml(job.trigger)} · requested ${new Date(job.requestedAt).toLocaleString()}
    <span data-testid="epoch">${last ? `epoch ${last.epoch}, loss ${last.loss.toFixed(4)}` : 'no epoch reported yet'}</span>
    ${cancellable ? '<button type="button" data-action="cancel-job">Cancel job</button>' : ''}
    ${lossCurve(job.progress)}</li>`);
}

/** The models the page shows: one (`?model=<id>`, the review page links there) or a page of them by name (`?after=`). */
async function loadModels(query: URLSearchParams): Promise<{ models: ModelRow[]; jobs: JobRow[]; next: string | null }> {
  const jobFields = 'items { id modelId status trigger requestedAt progress { epoch loss } }';
  const one = query.get('model');
  if (one) {
    const { model, trainingJobs } = await graphql<{ model: ModelRow | null; trainingJobs: { items: JobRow[] } }>(
      `query($id: ID!) { model(id: $id) { ${modelFields} } trainingJobs(model: $id, first: 10) { ${jobFields} } }`, { id: one });
    if (!model) throw new Error(`No model ${one} is registered (it may have been deleted).`);
    return { models: [model], jobs: trainingJobs.items, next: null };
  }
  const { models, trainingJobs } = await graphql<{ models: { items: ModelRow[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }; trainingJobs: { items: JobRow[] } }>(
    `query($after: String) { models(first: 10, after: $after) { items { ${modelFields} } pageInfo { hasNextPage endCursor } } trainingJobs(first: 10) { ${jobFields} } }`,
    { after: query.get('after') });
  return { models: models.items, jobs: trainingJobs.items, next: models.pageInfo.hasNextPage ? models.pageInfo.endCursor : null };
}

export async function showModels(main: HTMLElement, me: Me, query: URLSearchParams): Promise<void> {
  const engineer = me.roles.includes('ml-engineer');
  const radiologist = me.roles.includes('radiologist');
  const { models: items, jobs: jobItems, next } = await loadModels(query);
  const models = { items };
  const trainingJobs = { items: jobItems };
  main.innerHTML = '<h1>Models</h1>';
  const message = element('<div class="message" aria-live="polite"></div>');
  main.append(message);
  if (models.items.length === 0) {
    main.append(element('<p>No model is registered yet.</p>'));
    return;
  }
  const names = new Map(models.items.map((model) => [model.id, model.name]));
  for (const model of models.items) main.append(modelSection(model, engineer, radiologist));
  if (next) main.append(element(`<p><a href="/models?after=${encodeURIComponent(next)}">More models</a></p>`));

  main.append(element('<h2>Training jobs</h2>'));
  const jobs = element('<ul class="jobs"></ul>');
  main.append(jobs);
  const progress = new Map(trainingJobs.items.map((job) => [job.id, job]));
  for (const job of trainingJobs.items) jobs.append(jobSection(job, names.get(job.modelId) ?? job.modelId, engineer));
  if (trainingJobs.items.length === 0) jobs.append(element('<li>No training job yet.</li>'));
  // Live: each reported epoch redraws its job's line (a job requested after the page opened is fetched once).
  subscribe<{ trainingProgress: { jobId: string; epoch: number; loss: number } }>(
    'subscription { trainingProgress { jobId epoch loss } }', {},
    async ({ trainingProgress: reported }) => {
      let job = progress.get(reported.jobId);
      if (!job) {
        const { trainingJob } = await graphql<{ trainingJob: JobRow }>(
          'query($id: ID!) { trainingJob(id: $id) { id modelId status trigger requestedAt progress { epoch loss } } }', { id: reported.jobId });
        if (query.get('model') && trainingJob.modelId !== query.get('model')) return;
        job = trainingJob;
        progress.set(job.id, job);
      }
      job.status = 'RUNNING';
      if (!job.progress.some((p) => p.epoch === reported.epoch)) job.progress.push({ epoch: reported.epoch, loss: reported.loss });
      const row = jobSection(job, names.get(job.modelId) ?? job.modelId, engineer);
      const old = jobs.querySelector(`[data-job-id="${job.id}"]`);
      if (old) old.replaceWith(row); else jobs.prepend(row);
    },
    (error) => showError(message, error instanceof Error ? error : new Error('The live training progress stopped: reload the page.')));

  // A waiting job is cancelled at once; a running one when its worker hears of it (its status says CANCELLED later).
  // A refusal (the job finished meanwhile, a reason over the limit) is the API's message, shown above the models.
  const cancelJob = async (button: HTMLButtonElement, line: HTMLElement) => {
    const job = progress.get(line.dataset.jobId!)!;
    const reason = await confirmWithReason((form) => line.append(form), 'cancel-job',
      `Stop this training job of ${names.get(job.modelId) ?? job.modelId}? A running job keeps the checkpoint of its last step.`, 'Cancel job');
    if (reason === null) {
      button.focus();
      return;
    }
    button.disabled = true;
    try {
      const { cancelTrainingJob } = await graphql<{ cancelTrainingJob: { status: string } }>(
        'mutation($input: CancelTrainingJobInput!) { cancelTrainingJob(input: $input) { status } }',
        { input: { jobId: job.id, ...(reason.trim() ? { reason: reason.trim() } : {}) } });
      job.status = cancelTrainingJob.status;
      line.replaceWith(jobSection(job, names.get(job.modelId) ?? job.modelId, engineer));
      message.textContent = job.status === 'CANCELLED' ? 'Training job cancelled.' : 'Training job asked to stop: its worker stops at its next step.';
    } catch (error) {
      button.disabled = false;
      showError(message, error);
    }
  };

  // A mutation of the model (its field and input type) that answers the model: the section is redrawn from the answer,
  // and a refusal is the API's message, shown above the models.
  const changeModel = async (button: HTMLButtonElement, section: HTMLElement, model: ModelRow, [field, inputType]: [string, string],
    input: Record<string, unknown>, done: (updated: ModelRow) => string) => {
    button.disabled = true;
    try {
      const updated = (await graphql<Record<string, ModelRow>>(
        `mutation($input: ${inputType}!) { ${field}(input: $input) { ${modelFields} } }`, { input }))[field];
      Object.assign(model, updated);
      section.replaceWith(modelSection(updated, engineer, radiologist));
      message.textContent = done(updated);
    } catch (error) {
      button.disabled = false;
      showError(message, error);
    }
  };

  // Neither mutation takes a reason or an expected version: a shadow delivers nothing, and the one set last is the one
  // that runs (the event names the shadow it replaced).
  const changeShadow = async (button: HTMLButtonElement, section: HTMLElement, model: ModelRow) => {
    const start = button.dataset.action === 'shadow';
    const version = model.versions.find((v) => v.id === button.dataset.versionId);
    const question = start
      ? `Run v${version!.number} of ${model.name} in shadow beside production? Inference runs it on the same studies and delivers none of its results${model.shadow ? `; it replaces v${model.shadow.version.number} as the shadow` : ''}.`
      : `Stop running v${model.shadow!.version.number} of ${model.name} in shadow? Its report so far stays.`;
    const confirmed = await confirmWithReason((form) => section.querySelector('h2')!.after(form), button.dataset.action!, question,
      start ? 'Run in shadow' : 'Stop shadow', false);
    if (confirmed === null) {
      button.focus();
      return;
    }
    await changeModel(button, section, model,
      start ? ['shadowModelVersion', 'ShadowModelVersionInput'] : ['clearModelShadow', 'ClearModelShadowInput'],
      start ? { modelId: model.id, versionId: version!.id } : { modelId: model.id },
      (updated) => (start ? `${updated.name}: v${version!.number} runs in shadow.` : `${updated.name}: shadow stopped.`));
  };

  main.onclick = async (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
    const jobLine = button?.dataset.action === 'cancel-job' ? button.closest<HTMLElement>('[data-job-id]') : null;
    if (button && jobLine) {
      await cancelJob(button, jobLine);
      return;
    }
    const section = button?.closest<HTMLElement>('[data-model-id]');
    if (!button || !section) return;
    const model = models.items.find((m) => m.id === section.dataset.modelId)!;
    if (button.dataset.action === 'shadow' || button.dataset.action === 'stop-shadow') {
      await changeShadow(button, section, model);
      return;
    }
    const action = button.dataset.action as ProductionAction;
    const version = model.versions.find((v) => v.id === button.dataset.versionId);
    const target: ChangeTarget = {
      modelId: model.id, modelName: model.name, expectedVersion: model.version, version,
      productionNumber: model.versions.find((v) => v.id === model.productionVersion?.id)?.number,
    };
    const reason = await confirmChange(section, action, target);
    if (reason === null) {
      button.focus();
      return;
    }
    await changeModel(button, section, model,
      action === 'promote' ? ['promoteModelVersion', 'PromoteModelVersionInput'] : ['rollbackModel', 'RollbackModelInput'],
      changeInput(action, target, reason), (updated) => (action === 'promote' ? `${updated.name}: promoted.` : `${updated.name}: rolled back.`));
  };
}
