// The annotator workspace: pick a dataset, take the next case (nextCase), browse its series, paint a labelmap (segments
// named by the dataset's labels), starting from the model's prediction where inference made one, or tick the dataset's
// classification labels, and save it as a label revision in the format training reads. When someone else saved the case
// first, both are offered. A dataset whose labels name several input channels is labelled over all of them at once
// (annotateChannels.ts).

import { ApiError, graphql, uploadBlob } from '../api/graphql';
import type { Me } from '../api/session';
import { imageSeries, listSeries } from '../dicomweb/series';
import { readSegmentation, segmentLabels, toSegments } from '../review/segmentation';
import { packClassification, segmentNames, type DatasetLabelling } from '../labels/datasetLabels';
import { assignmentProblem, matchChannels } from '../labels/channels';
import { headerFor, labelCounts, packMask } from '../labels/labelVolume';
import { readLabel } from '../labels/storedLabel';
import { labelTools } from '../viewer/labelTools';
import { openStack } from '../viewer/stackViewer';
import { dicomweb } from '../viewer/viewerPrefetch';
import { element, escapeHtml, showError } from '../ui';
import { findPrediction, type Prediction } from './annotatePrediction';
import { channelForm, openChannels, type LabelViews } from './annotateChannels';
import { classificationChoices } from './classificationChoices';
import { layoutSwitch } from './annotateLayout';

interface CaseInfo {
  id: string;
  studyInstanceUid: string;
  currentRevision: number;
  labelStatus: string;
  labelHistory: { id: string; revision: number | null; blobDigest: string; status: string; submittedBy: string; kind: string }[];
}

type DatasetInfo = DatasetLabelling & { id: string; name: string; caseCount: number; channels: string[] };

/** The labelmap's code, with Cornerstone's tools: loaded once the viewer is open, so its first image does not wait for them. */
const labelmapCode = () => import('../viewer/labelmap');

const caseFields = 'id studyInstanceUid currentRevision labelStatus labelHistory { id revision blobDigest status submittedBy kind }';

export async function showAnnotate(main: HTMLElement, me: Me, query: URLSearchParams): Promise<void> {
  const { datasets } = await graphql<{ datasets: { items: DatasetInfo[] } }>(
    '{ datasets(first: 200) { items { id name caseCount labelKind labels { name value } channels } } }',
  );
  main.innerHTML = '';
  main.append(element(`<h1>Annotate</h1>`));
  if (datasets.items.length === 0) {
    main.append(element('<p>No dataset exists yet. An ML engineer creates one and adds its studies on the <a href="/datasets">Datasets</a> page before cases can be labelled.</p>'));
    return;
  }
  const picker = element<HTMLFormElement>(`<form class="worklist"><label>Dataset
      <select name="dataset">${datasets.items
        .map((d) => `<option value="${d.id}"${d.id === query.get('dataset') ? ' selected' : ''}>${escapeHtml(d.name)} (${d.caseCount} cases)</option>`)
        .join('')}</select></label>
      <button type="submit">Next case</button></form>`);
  const workspace = element('<section class="workspace" aria-live="polite"></section>');
  main.append(picker, workspace);
  let current: { destroy(): void } | undefined;
  picker.onsubmit = async (event) => {
    event.preventDefault();
    current?.destroy();
    current = undefined;
    workspace.innerHTML = '<p>Finding the next case…</p>';
    try {
      const dataset = new FormData(picker).get('dataset') as string;
      history.replaceState(null, '', `/annotate?dataset=${dataset}`);
      const { nextCase } = await graphql<{ nextCase: CaseInfo | null }>(
        `query($dataset: ID!) { nextCase(dataset: $dataset) { ${caseFields} } }`, { dataset });
      if (!nextCase) {
        workspace.innerHTML = '<p>No unlabelled case is left in this dataset for you.</p>';
        return;
      }
      current = await openCase(workspace, nextCase, datasets.items.find((d) => d.id === dataset)!);
    } catch (error) {
      workspace.innerHTML = '';
      showError(workspace, error);
    }
  };

  // `&case=<id>` (a case's Annotate link on the dataset's page) opens that case rather than the next one.
  const named = query.get('case');
  if (!named) return;
  workspace.innerHTML = '<p>Opening the case…</p>';
  try {
    const { case: item } = await graphql<{ case: (CaseInfo & { assignedTo: string | null; dataset: { id: string } }) | null }>(
      `query($id: ID!) { case(id: $id) { ${caseFields} assignedTo dataset { id } } }`, { id: named });
    const dataset = item && datasets.items.find((d) => d.id === item.dataset.id);
    if (!item || !dataset) {
      throw new Error(`Case ${named} is in no dataset (it may have been removed from it): choose a dataset and take its next case.`);
    }
    picker.querySelector('select')!.value = dataset.id;
    current = await openCase(workspace, item, dataset);
    const heldBy = heldByAnother(item.assignedTo, me);
    if (heldBy) {
      workspace.prepend(element(`<p class="conflict" role="status" data-testid="held-by">This case is assigned to `
        + `<strong>${escapeHtml(heldBy)}</strong>: you can look at it, but saving a label is refused until it is released or `
        + `assigned to you (an ML engineer does that on the <a href="/datasets?dataset=${dataset.id}">dataset's page</a>).</p>`));
    }
  } catch (error) {
    workspace.innerHTML = '';
    showError(workspace, error);
  }
}

/** Who holds a case when that stops the user from saving a label on it: annotators work only on free cases and their own. */
function heldByAnother(assignedTo: string | null, me: Me): string | undefined {
  const actsForOthers = me.roles.some((role) => role === 'radiologist' || role === 'ml-engineer' || role === 'admin');
  return assignedTo && assignedTo !== me.name && !actsForOthers ? assignedTo : undefined;
}

async function openCase(workspace: HTMLElement, item: CaseInfo, dataset: DatasetInfo): Promise<{ destroy(): void }> {
  const series = imageSeries(await listSeries(dicomweb, item.studyInstanceUid));
  if (series.length === 0) {
    throw new Error(`The archive holds no image series of study ${item.studyInstanceUid}; it cannot be labelled here.`);
  }
  workspace.innerHTML = '';
  const info = element(`<p class="case" data-testid="case" data-case-id="${item.id}">Case <code>${item.id}</code> · study
    <code>${escapeHtml(item.studyInstanceUid)}</code> · revision <span data-testid="revision">${item.currentRevision}</span></p>`);
  const channels = dataset.channels.length > 1 ? dataset.channels : undefined;
  const browser = element(`<nav class="series" aria-label="Series">${series
    .map((s, index) => `<button type="button" data-series="${s.seriesInstanceUid}"${index === 0 ? ' aria-pressed="true"' : ''}>
      ${escapeHtml(s.modality)} ${s.number} ${escapeHtml(s.description)} <small>(${s.instances})</small></button>`)
    .join('')}</nav>`);
  const host = element(channels ? '<div class="viewer-area side-by-side"></div>' : '<div class="viewer-host"></div>');
  const message = element('<div class="message" aria-live="polite"></div>');

  const classifying = dataset.labelKind === 'CLASSIFICATION';
  const kind = classifying ? 'CLASSIFICATION' : 'SEGMENTATION';
  const previous = [...item.labelHistory].reverse().find((revision) => revision.revision !== null && revision.kind === kind);
  const storedLabel = previous ? await readLabel(previous) : undefined;
  const stored = storedLabel?.kind === 'SEGMENTATION' ? storedLabel.mask : undefined;
  const prediction = classifying ? undefined : await findPrediction(item.studyInstanceUid).catch(() => undefined);
  // Segments are named by the dataset, else by the case's last revision, else by the prediction (a first label).
  const names = segmentNames(dataset, stored?.header.labelNames ?? (prediction && segmentLabels(prediction.segmentation.metadata)));
  const saveNow = () => void save().catch((error) => showError(message, error));
  const tools = labelTools(names, 'Save label', () => views!.labelmap, saveNow);
  const choices = classifying
    ? classificationChoices(dataset.labels.map((label) => label.name), storedLabel?.kind === 'CLASSIFICATION' ? storedLabel.classification.labels : undefined, saveNow)
    : undefined;
  const start = prediction && predictionLine(prediction);
  // With channels the series come from the channel form: those of the case's last label where it names one per
  // channel, else those matched by Series Description.
  const storedUids = stored?.header.referencedSeriesInstanceUids ?? [];
  const form = channels && channelForm(channels, series, storedUids.length === channels.length
    && storedUids.every((uid) => series.some((s) => s.seriesInstanceUid === uid)) ? storedUids : matchChannels(channels, series));
  // A segmentation dataset's series (or, with channels, one channel's) can also be labelled in three orthogonal views
  // (annotateLayout.ts).
  const mprHost = classifying ? undefined : element('<div class="mpr-host"></div>');
  const layouts = mprHost && layoutSwitch(host, mprHost, item.studyInstanceUid, (error) => showError(message, error));
  workspace.append(info, form ? form.element : browser, ...(layouts ? [layouts.element] : []), choices?.element ?? tools.element,
    ...(start ? [start] : []), host, ...(mprHost ? [mprHost] : []), message);
  let views: LabelViews | undefined;
  /** Why nothing can be saved while no series are open (a channel without a series, series on different grids). */
  let notOpen = 'The series are still opening.';
  const openSeries = async (seriesUid: string): Promise<LabelViews> => {
    const viewer = await openStack(host, item.studyInstanceUid, seriesUid);
    const labelmap = await (await labelmapCode()).addLabelmap(viewer, names);
    layouts?.setSeries({ viewer, labelmap });
    return { viewers: [viewer], labelmap, seriesUids: [seriesUid], grid: viewer.series.grid, destroy: () => viewer.destroy() };
  };
  /** Opens the series (one, or one per channel) and sets the tools on their labelmap; the stored label is shown where it lies on them. */
  const show = async (open: () => Promise<LabelViews>) => {
    tools.suspend(); // until the new labelmap exists, keys and clicks would act on the one being left
    layouts?.setSeries(undefined);
    start?.querySelector('button')?.setAttribute('disabled', '');
    views?.destroy();
    views = undefined;
    views = await open();
    if (stored && stored.header.referencedSeriesInstanceUids.join() === views.seriesUids.join()) views.labelmap.load(stored.labels);
    tools.setup(views.labelmap);
    syncStart();
  };
  /** The viewer of the series the model segmented, when it is open. */
  const predictionViewer = () => views?.viewers.find((v) => v.series.seriesInstanceUid === prediction?.segmentation.referencedSeries);
  const startFromPrediction = () => {
    const viewer = predictionViewer();
    if (!prediction || !viewer || !views) return;
    const grid = viewer.series.grid;
    const predicted = readSegmentation(prediction.segmentation.metadata, prediction.segmentation.pixelData,
      viewer.series.instances.map((i) => String(i['00080018']?.Value?.[0])), grid.rows, grid.columns);
    const { voxels, leftOut } = toSegments(predicted, names);
    views.labelmap.replace(voxels);
    message.textContent = `Started from the prediction of ${prediction.madeBy}: ${voxels.reduce((n, v) => n + (v ? 1 : 0), 0)} voxels (Undo takes it back).`
      + (leftOut.length ? ` Left out, as this dataset has no such label: ${leftOut.join(', ')}.` : '');
  };
  const syncStart = () => {
    const button = start?.querySelector<HTMLButtonElement>('button');
    if (!button) return;
    const onIt = predictionViewer() !== undefined;
    button.disabled = !onIt;
    button.title = onIt ? '' : 'The prediction was made on another series of this study: open that series to start from it.';
  };
  start?.querySelector<HTMLButtonElement>('button')?.addEventListener('click', () => {
    try { startFromPrediction(); } catch (error) { showError(message, error); }
  });
  const openChosenChannels = async () => {
    const assignment = form!.assignment();
    const problem = assignmentProblem(channels!, assignment);
    if (problem) {
      tools.suspend();
      views?.destroy();
      views = undefined;
      notOpen = problem;
      message.textContent = problem;
      return;
    }
    message.textContent = '';
    try {
      await show(async () => {
        const opened = await openChannels(host, item.studyInstanceUid, channels!, series, assignment as string[], names);
        layouts?.setChannels(opened.channels!);
        return opened;
      });
    } catch (error) {
      notOpen = error instanceof Error ? error.message : String(error);
      showError(message, error);
    }
  };
  if (form) {
    form.element.onsubmit = (event) => {
      event.preventDefault();
      void openChosenChannels();
    };
    await openChosenChannels();
  } else {
    // The series to open: the one the case was labelled on, else the one the model segmented, else the first.
    const first = series.find((s) => s.seriesInstanceUid === (storedUids[0] ?? prediction?.segmentation.referencedSeries)) ?? series[0];
    browser.querySelectorAll<HTMLButtonElement>('button[data-series]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.series === first.seriesInstanceUid)));
    await show(() => openSeries(first.seriesInstanceUid));
  }

  let baseRevision = item.currentRevision;
  const save = async () => {
    if (!views) throw new Error(`Not saved: ${notOpen}`);
    const { seriesUids, grid, labelmap } = views;
    message.textContent = 'Saving…';
    const digest = await uploadBlob(choices
      ? packClassification(seriesUids, choices.values())
      : packMask(headerFor(grid, seriesUids, names), labelmap.voxels()));
    try {
      const { submitLabel } = await graphql<{ submitLabel: { id: string; revision: number } }>(
        `mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id revision } }`,
        { input: { caseId: item.id, baseRevision, kind, blobDigest: digest } });
      baseRevision = submitLabel.revision;
      info.querySelector('[data-testid=revision]')!.textContent = String(baseRevision);
      const what = choices
        ? Object.entries(choices.values()).filter(([, yes]) => yes).map(([name]) => escapeHtml(name)).join(', ') || 'no label'
        : `${[...labelCounts(labelmap.voxels()).values()].reduce((a, b) => a + b, 0)} labelled voxels`
          + (seriesUids.length > 1 ? ` over ${seriesUids.length} series` : '');
      message.innerHTML = `<p class="saved" data-testid="saved" data-label-revision-id="${submitLabel.id}">Saved as revision
        ${submitLabel.revision} (${what}).</p>`;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'LABEL_REVISION_CONFLICT') {
        await offerConflict(error);
      } else {
        throw error;
      }
    }
  };
  const offerConflict = async (error: ApiError) => {
    const currentRevision = Number(error.details.currentRevision);
    const { case: latest } = await graphql<{ case: CaseInfo }>(`query($id: ID!) { case(id: $id) { ${caseFields} } }`, { id: item.id });
    const theirs = latest.labelHistory.find((revision) => revision.revision === currentRevision);
    message.innerHTML = '';
    message.append(element(`<div class="conflict" role="alert"><p><strong>${escapeHtml(theirs?.submittedBy ?? 'Someone')}</strong> saved
      revision ${currentRevision} of this case while you worked on revision ${baseRevision}. Your labels are kept in the
      case's history as a conflicted submission. Choose what to keep:</p>
      <button type="button" data-choice="mine">Keep mine (save over revision ${currentRevision})</button>
      <button type="button" data-choice="theirs">Show theirs (discard my changes)</button></div>`));
    message.querySelector<HTMLButtonElement>('[data-choice=mine]')!.onclick = () => {
      baseRevision = currentRevision;
      void save().catch((e) => showError(message, e));
    };
    message.querySelector<HTMLButtonElement>('[data-choice=theirs]')!.onclick = async () => {
      const label = theirs && await readLabel(theirs);
      if (label?.kind === 'CLASSIFICATION') choices?.set(label.classification.labels);
      else if (label) views?.labelmap.load(label.mask.labels);
      baseRevision = currentRevision;
      info.querySelector('[data-testid=revision]')!.textContent = String(baseRevision);
      message.textContent = `Showing revision ${currentRevision}.`;
    };
  };

  browser.onclick = async (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-series]');
    if (!button) return;
    browser.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b === button)));
    await show(() => openSeries(button.dataset.series!));
  };
  if (views) tools.choose('navigate'); // with channels still to choose, the tools wait for the series (setup chooses then)
  return { destroy: () => { layouts?.destroy(); views?.destroy(); } };
}

/** What the model made of the study, and the button that starts the labelmap from it. */
function predictionLine(prediction: Prediction): HTMLElement {
  return element(`<p class="prediction" data-testid="prediction">${escapeHtml(prediction.madeBy)} segmented this study
    (${new Date(prediction.completedAt).toLocaleString()}). <button type="button" data-action="start-from-prediction" disabled>Start
    from its prediction</button></p>`);
}
