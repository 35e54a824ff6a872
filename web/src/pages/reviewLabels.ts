// Label review (radiologist): a dataset's submitted labels, oldest first; the open one drawn read-only over the series it
// was made on (a segmentation as a labelmap opened at its busiest slice, over all its series side by side when it names
// one per input channel; a classification as its answers), named by the dataset's labels; Approve, Reject with a reason
// (reviewLabel), or Correct it (paint the segmentation, tick the classification's labels) and save the correction
// approved (labelCorrection.ts), after which the next submitted label opens. A decision labeling refuses (the label changed or was reviewed meanwhile) is said in words,
// with Reload.

import { graphql } from '../api/graphql';
import type { Me } from '../api/session';
import { imageSeries, listSeries } from '../dicomweb/series';
import { segmentNames, type DatasetLabelling } from '../labels/datasetLabels';
import {
  correctionRefusalAdvice, currentRevisionOf, refusalAdvice, segmentExtents, seriesCaptions, type QueueItem, type SubmittedCase,
} from '../labels/labelReview';
import { labelledSeries, readLabel, type StoredLabel } from '../labels/storedLabel';
import { element, escapeHtml, showError } from '../ui';
import { openStack } from '../viewer/stackViewer';
import { dicomweb } from '../viewer/viewerPrefetch';
import { classificationChoices } from './classificationChoices';
import {
  classificationCorrection, CorrectionNotApproved, saveCorrectionAndApprove, segmentationCorrection, startCorrection, type Correction,
} from './labelCorrection';
import { decisionForm, type Decision, type DecisionForm } from './labelDecision';
import { openReviewedSegmentation } from './reviewedSegmentation';
import { reviewQueue, submittedCaseFields, type ReviewQueue } from './reviewQueue';

type DatasetInfo = DatasetLabelling & { id: string; name: string; channels: string[]; labelStatusCounts: { status: string; count: number }[] };

/** What shows the open label, how to start correcting it, and how to close it. */
interface ShownLabel {
  /** Puts the label's editor on the page (the labelling toolbar, or a classification's checkboxes); `save` is its save button. */
  correct(save: () => void): CorrectionEditor;
  destroy(): void;
}

interface CorrectionEditor {
  correction(): Correction;
  /** Disables the editor while the correction is saved, or enables it again after a failure. */
  enable(enabled: boolean): void;
}

const submitted = (dataset: DatasetInfo) => dataset.labelStatusCounts.find((count) => count.status === 'SUBMITTED')?.count ?? 0;

export async function showReviewLabels(main: HTMLElement, me: Me, query: URLSearchParams): Promise<void> {
  main.innerHTML = '<h1>Review labels</h1>';
  if (!me.roles.includes('radiologist')) {
    main.append(element(`<p data-testid="not-allowed">Reviewing labels is for radiologists: they approve or reject the labels
      annotators submit. Ask an administrator for the radiologist role.</p>`));
    return;
  }
  const { datasets } = await graphql<{ datasets: { items: DatasetInfo[] } }>(
    '{ datasets(first: 200) { items { id name labelKind labels { name value } channels labelStatusCounts { status count } } } }');
  if (datasets.items.length === 0) {
    main.append(element('<p>No dataset exists yet, so no label waits for review.</p>'));
    return;
  }
  const chosen = datasets.items.find((d) => d.id === query.get('dataset')) ?? datasets.items.find((d) => submitted(d) > 0) ?? datasets.items[0];
  const picker = element<HTMLFormElement>(`<form class="worklist"><label>Dataset <select name="dataset">${datasets.items
    .map((d) => `<option value="${d.id}"${d === chosen ? ' selected' : ''}>${escapeHtml(d.name)} (${submitted(d)} submitted)</option>`)
    .join('')}</select></label></form>`);
  const status = element('<div class="message" aria-live="polite"></div>');
  main.append(picker, status);
  let review = reviewDataset(main, chosen, status, query.get('case'));
  picker.querySelector('select')!.onchange = (event) => {
    review.close();
    status.innerHTML = '';
    const dataset = datasets.items.find((d) => d.id === (event.target as HTMLSelectElement).value)!;
    review = reviewDataset(main, dataset, status, null);
  };
}

/** The queue and the workspace of one dataset; `close` takes them off the page. */
function reviewDataset(main: HTMLElement, dataset: DatasetInfo, status: HTMLElement, openFirst: string | null): { close(): void } {
  const layout = element('<div class="label-review"><section class="reviewed" aria-live="polite"></section><aside></aside></div>');
  const workspace = layout.querySelector<HTMLElement>('.reviewed')!;
  const aside = layout.querySelector<HTMLElement>('aside')!;
  const panel = element('<div class="panel"></div>');
  main.append(layout);
  let shown: ShownLabel | undefined;
  let opening = 0; // the latest open; an earlier one still loading gives way to it
  const clear = () => {
    opening++;
    shown?.destroy();
    shown = undefined;
    panel.innerHTML = '';
    document.onkeydown = null; // the keys of the label left (its decision, or the toolbar correcting it) go with it
  };

  const queue: ReviewQueue = reviewQueue(dataset.id, (item) => void open(item.caseId, ''));
  aside.append(panel, queue.element);
  const empty = () => {
    clear();
    queue.markOpen(undefined);
    history.replaceState(null, '', `/review-labels?dataset=${dataset.id}`);
    workspace.innerHTML = `<p data-testid="queue-empty">No submitted label is waiting for review in ${escapeHtml(dataset.name)}. Labels
      appear here when annotators save them (<a href="/annotate?dataset=${dataset.id}">Annotate</a>).</p>`;
  };
  const openNext = async () => {
    const next = await queue.reload();
    if (next) await open(next.caseId, '');
    else empty();
  };

  /** Opens a case (its current revision), keeping `comment` as the reason typed so far. */
  const open = async (caseId: string, comment: string) => {
    clear();
    const token = opening;
    queue.markOpen(caseId);
    history.replaceState(null, '', `/review-labels?dataset=${dataset.id}&case=${caseId}`);
    workspace.innerHTML = '<p class="loading">Loading the label and its images…</p>';
    try {
      const { case: item } = await graphql<{ case: SubmittedCase | null }>(`query($id: ID!) { case(id: $id) { ${submittedCaseFields} } }`, { id: caseId });
      const revision = item && currentRevisionOf(item);
      if (!item || !revision) throw new Error(`Case ${caseId} has no submitted label (it may have left the dataset): reload the queue.`);
      const label = await readLabel(revision);
      if (token !== opening) return;
      shown = await showLabel(workspace, panel, item, revision, label, dataset, () => token !== opening);
      if (!shown) return;
      if (item.labelStatus !== 'SUBMITTED') {
        panel.prepend(element(`<p class="outcome" data-testid="outcome">Revision ${revision.revision} is ${revision.status.toLowerCase()}${revision.reviewedBy
          ? ` by ${escapeHtml(revision.reviewedBy)}` : ''}${revision.reviewComment ? `: “${escapeHtml(revision.reviewComment)}”` : ''}.
          <button type="button">Open the oldest submitted label</button></p>`));
        panel.querySelector<HTMLButtonElement>('[data-testid=outcome] button')!.onclick = () => void openNext();
        return;
      }
      const queued = { caseId, studyInstanceUid: item.studyInstanceUid, revision };
      const form = decisionForm(`revision ${revision.revision}`, comment, (decision, reason) => decide(queued, decision, reason, form));
      panel.prepend(form.element);
      form.enable(true);
      form.element.after(correctButton(queued, shown, form));
    } catch (error) {
      if (token !== opening) return;
      workspace.innerHTML = '';
      showError(workspace, error);
    }
  };

  const decide = async (item: QueueItem, decision: Decision, comment: string | null, form: ReturnType<typeof decisionForm>) => {
    const number = item.revision.revision ?? 0;
    try {
      const { reviewLabel } = await graphql<{ reviewLabel: { id: string; status: string } }>(
        'mutation($input: ReviewLabelInput!) { reviewLabel(input: $input) { id status } }',
        { input: { caseId: item.caseId, labelRevisionId: item.revision.id, decision, comment } });
      status.innerHTML = `<p class="saved" data-testid="decided" data-label-revision-id="${reviewLabel.id}" data-status="${reviewLabel.status}">
        ${decision === 'APPROVE' ? 'Approved' : 'Rejected'} revision ${number} of study <code>${escapeHtml(item.studyInstanceUid)}</code>
        (submitted by ${escapeHtml(item.revision.submittedBy)}).</p>`;
      await openNext();
    } catch (error) {
      const advice = refusalAdvice(error, number);
      if (!advice) {
        showError(panel, error);
        form.enable(true);
        return;
      }
      showRefusal(advice, item.caseId, form);
    }
  };

  /** A refused decision or correction in words, and Reload, which opens the case as it is now with the reason kept. */
  const showRefusal = (advice: string, caseId: string, form: DecisionForm) => {
    const refusal = element(`<div class="conflict" role="alert" data-testid="refused"><p>${escapeHtml(advice)}</p>
      <button type="button">Reload</button></div>`);
    refusal.querySelector('button')!.onclick = () => {
      status.innerHTML = '';
      void queue.reload().then(() => open(caseId, typedReason(form)));
    };
    panel.prepend(refusal);
    refusal.querySelector('button')!.focus();
  };

  /**
   * "Correct": the label's editor (the labelling toolbar over the shown labelmap, or checkboxes for a classification), the
   * decision buttons disabled (an approval now would be of the uncorrected revision) and "Discard correction", which
   * opens the case again as submitted.
   */
  const correctButton = (item: QueueItem, label: ShownLabel, form: DecisionForm) => {
    const box = element(`<p class="correct"><button type="button" data-action="correct">Correct</button>
      <small>edit the label yourself, then save the correction approved</small></p>`);
    box.querySelector('button')!.onclick = () => {
      const editor = label.correct(() => void save());
      form.enable(false);
      box.innerHTML = '<button type="button" data-action="discard">Discard correction</button>';
      box.querySelector('button')!.onclick = () => void open(item.caseId, typedReason(form));
      const number = item.revision.revision ?? 0;
      const save = async () => {
        editor.enable(false);
        status.innerHTML = '<p>Saving the correction…</p>';
        try {
          const saved = await saveCorrectionAndApprove(item.caseId, item.revision, editor.correction(), typedReason(form).trim() || null);
          status.innerHTML = `<p class="saved" data-testid="decided" data-label-revision-id="${saved.id}" data-status="${saved.status}">
            Corrected revision ${number} of study <code>${escapeHtml(item.studyInstanceUid)}</code> (submitted by
            ${escapeHtml(item.revision.submittedBy)}) as revision ${saved.revision}, and approved it.</p>`;
          await openNext();
        } catch (error) {
          status.innerHTML = '';
          const advice = error instanceof CorrectionNotApproved
            ? correctionRefusalAdvice(error.reason, number, error.saved)
            : correctionRefusalAdvice(error, number);
          if (!advice) {
            showError(panel, error);
            editor.enable(true);
            return;
          }
          showRefusal(advice, item.caseId, form);
        }
      };
    };
    return box;
  };

  void (openFirst ? open(openFirst, '') : openNext());
  return {
    close() {
      clear();
      layout.remove();
    },
  };
}

/** The reason typed in the decision form (kept when the case opens again). */
const typedReason = (form: DecisionForm) => form.element.querySelector('textarea')!.value;

/**
 * Shows a stored label over the series it was made on, with nothing to paint with, and what it holds beside it; undefined
 * when `stale` says another case was opened meanwhile.
 */
async function showLabel(workspace: HTMLElement, panel: HTMLElement, item: SubmittedCase, revision: QueueItem['revision'], label: StoredLabel,
  dataset: DatasetInfo, stale: () => boolean): Promise<ShownLabel | undefined> {
  const uids = labelledSeries(label);
  const studySeries = imageSeries(await listSeries(dicomweb, item.studyInstanceUid));
  const series = uids.map((uid) => studySeries.find((s) => s.seriesInstanceUid === uid));
  if (uids.length === 0 || series.some((s) => !s)) {
    throw new Error(`The label was made on series ${uids.filter((_, index) => !series[index]).join(', ') || '(none named)'}, which the archive does not hold for study ${item.studyInstanceUid}.`);
  }
  if (stale()) return undefined;
  const shownSeries = series.length === 1
    ? `${escapeHtml(series[0]!.modality)} ${series[0]!.number} ${escapeHtml(series[0]!.description)}`
    : `${series.length} series side by side`;
  workspace.innerHTML = '';
  workspace.append(element(`<p class="case" data-testid="reviewed-label" data-case-id="${item.id}" data-label-revision-id="${revision.id}">
    Study <code>${escapeHtml(item.studyInstanceUid)}</code> · ${shownSeries} ·
    revision <strong>${revision.revision}</strong> by <strong>${escapeHtml(revision.submittedBy)}</strong>, ${new Date(revision.submittedAt).toLocaleString()}</p>`));
  const host = element('<div class="reviewed-views"></div>');
  workspace.append(host);
  if (label.kind === 'CLASSIFICATION') {
    const viewerHost = element('<div class="viewer-host"></div>');
    host.append(viewerHost);
    const viewer = await openStack(viewerHost, item.studyInstanceUid, uids[0]);
    if (stale()) {
      viewer.destroy();
      return undefined;
    }
    const answers = label.classification.labels;
    const names = dataset.labels.map((l) => l.name).concat(Object.keys(answers).filter((name) => !dataset.labels.some((l) => l.name === name)));
    const list = element(`<ul class="answers" data-testid="answers" aria-label="The label's answers">${names
      .map((name) => `<li>${escapeHtml(name)}: <strong>${answers[name] ? 'yes' : 'no'}</strong></li>`).join('')}</ul>`);
    panel.append(list);
    viewerHost.dataset.overlay = 'classification';
    return {
      correct(save) {
        const choices = classificationChoices(names, answers, save, 'Save correction and approve');
        list.replaceWith(choices.element);
        choices.element.querySelector('input')?.focus();
        return { correction: () => classificationCorrection(uids, choices.values()), enable: (on) => choices.enable(on) };
      },
      destroy: () => viewer.destroy(),
    };
  }
  const { header, labels } = label.mask;
  const names = segmentNames(dataset, header.labelNames);
  const views = await openReviewedSegmentation(host, item.studyInstanceUid, studySeries, seriesCaptions(dataset.channels, uids.length), label.mask, names);
  if (stale()) {
    views.destroy();
    return undefined;
  }
  const extents = segmentExtents(labels, views.grid.rows * views.grid.columns, names);
  panel.append(element(`<ul class="segments" data-testid="segments" aria-label="Segments">${extents.length === 0
    ? '<li>The label is empty: no voxel is labelled.</li>'
    : extents.map((e) => `<li>${escapeHtml(e.name)}: ${e.voxels.toLocaleString()} voxels on slices ${e.firstSlice + 1}–${e.lastSlice + 1}</li>`).join('')}</ul>`));
  return {
    correct(save) {
      const tools = startCorrection(views, names, save);
      workspace.querySelector('[data-testid=reviewed-label]')!.after(tools.element);
      return {
        correction: () => segmentationCorrection(views, names),
        enable: (on) => (on ? tools.setup(views.labelmap) : tools.suspend()),
      };
    },
    destroy: () => views.destroy(),
  };
}
