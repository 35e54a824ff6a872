// Radiologist review, launched by a PACS as /review?study=<StudyInstanceUID>: the study's images with the AI result
// overlaid (its SEG as a labelmap, its SR's findings and measurements as text), which model version made it and its
// metrics, and the radiologist's verdict: accept, reject with a reason, or correct the labelmap (giveFeedback).

import { graphql, uploadBlob } from '../api/graphql';
import type { Me } from '../api/session';
import { imageSeries, listSeries, type SeriesSummary } from '../dicomweb/series';
import { headerFor, packMask } from '../labels/labelVolume';
import { caseForCorrection, type StudyCase } from '../review/correction';
import { reportLines } from '../review/report';
import { noResultExplanation, type Received, type Result } from '../review/result';
import { loadResultObjects } from '../review/resultObjects';
import { combineSegmentations, readSegmentation, type CombinedSegmentation } from '../review/segmentation';
import { element, escapeHtml, showError } from '../ui';
import type { Labelmap } from '../viewer/labelmap';
import { labelTools } from '../viewer/labelTools';
import { openStack, type StackViewer } from '../viewer/stackViewer';
import { dicomweb } from '../viewer/viewerPrefetch';
import { formatMetrics } from './modelMetrics';

type ReviewedResult = Result & { modelVersion: (NonNullable<Result['modelVersion']> & { model: { id: string; feedbackDataset: { id: string } | null } }) | null };

export async function showReview(main: HTMLElement, _me: Me, query: URLSearchParams): Promise<void> {
  const study = query.get('study');
  main.innerHTML = '<h1>Review</h1>';
  if (!study) {
    main.append(element('<p>Open a study from the PACS, or add <code>?study=&lt;StudyInstanceUID&gt;</code> to this address.</p>'));
    return;
  }
  const { inferenceResults, receivedStudies } = await graphql<{ inferenceResults: { items: ReviewedResult[] }; receivedStudies: Received[] }>(
    `query($study: String!) { inferenceResults(study: $study, first: 1) { items { id pipeline failure failureReason completedAt resultUids
      routing { ruleName explanation } modelVersion { id number stage metrics { name value } model { id name feedbackDataset { id } } }
      feedback { verdict radiologist comment givenAt } } }
      receivedStudies(study: $study) { receivedAt instanceCount forwarding { isStuck reason } } }`, { study });
  const result = inferenceResults.items[0];
  const panel = element('<aside class="result" data-testid="result"></aside>');
  const host = element('<div class="viewer-host"></div>');
  main.append(element(`<p>Study <code>${escapeHtml(study)}</code></p>`), element('<div class="review"></div>'));
  main.querySelector('.review')!.append(host, panel);
  const missing = noResultExplanation(result, receivedStudies);
  const series = imageSeries(await listSeries(dicomweb, study));
  if (missing) {
    panel.append(element(`<p data-testid="no-result">${escapeHtml(missing)}</p>`));
    if (result?.routing?.explanation.length) {
      panel.append(element(`<ul>${result.routing.explanation.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`));
    }
  }
  if (series.length === 0) {
    host.append(element('<p>The archive holds no image series of this study.</p>'));
    return;
  }
  if (missing) {
    await openStack(host, study, series[0].seriesInstanceUid);
    return;
  }
  const version = result!.modelVersion!;
  panel.append(element(`<div><h2><a href="/models?model=${version.model.id}">${escapeHtml(version.model.name)}</a> v${version.number} <small>${version.stage}</small></h2>
    <p>${escapeHtml(formatMetrics(version.metrics))}</p>
    <p>Result of ${new Date(result!.completedAt).toLocaleString()}: ${result!.resultUids.length} object(s) written.</p></div>`));
  const objects = await loadResultObjects(dicomweb, study, result!.resultUids);
  const findings = objects.reports.flatMap(reportLines);
  if (findings.length > 0) {
    panel.append(element(`<ul class="findings" data-testid="findings">${findings.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`));
  }
  panel.append(element(`<ul class="feedback">${result!.feedback
    .map((f) => `<li>${f.verdict} by ${escapeHtml(f.radiologist)}${f.comment ? `: ${escapeHtml(f.comment)}` : ''}</li>`)
    .join('')}</ul>`));
  const form = element<HTMLFormElement>(`<form class="verdict"><label>Reason or comment <input name="comment"></label>
    <button type="submit" name="verdict" value="ACCEPT">Accept</button>
    <button type="submit" name="verdict" value="REJECT">Reject</button>
    <button type="button" data-action="correct" disabled>Correct</button></form>`);
  const message = element('<div class="message" aria-live="polite"></div>');
  panel.append(form, message);
  const comment = () => (new FormData(form).get('comment') as string) || null;
  const giveFeedback = (verdict: string, correctedLabelRevisionId: string | null = null) =>
    graphql<{ giveFeedback: { id: string } }>(`mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }`,
      { input: { inferenceResultId: result!.id, verdict, comment: comment(), correctedLabelRevisionId } });
  form.onsubmit = async (event) => {
    event.preventDefault();
    const verdict = ((event as SubmitEvent).submitter as HTMLButtonElement).value;
    if (verdict === 'REJECT' && !comment()) {
      showError(message, 'Say why you reject the result (the reason goes to the model\'s engineers).');
      return;
    }
    try {
      await giveFeedback(verdict);
      message.append(element(`<p class="saved" data-testid="feedback-saved">${verdict === 'ACCEPT' ? 'Accepted' : 'Rejected'}.</p>`));
    } catch (error) {
      showError(message, error);
    }
  };

  // The series a segmentation of the result was made on (the address's &series= if it names one of them), with every
  // segmentation of that series drawn over it as one labelmap; without a segmentation, the study's first series.
  const segmented = [...new Set(objects.segmentations.map((s) => s.referencedSeries))]
    .map((uid) => series.find((s) => s.seriesInstanceUid === uid)).filter((s) => s !== undefined);
  const shown = segmented.find((s) => s.seriesInstanceUid === query.get('series')) ?? segmented[0] ?? series[0];
  const drawn = objects.segmentations.filter((s) => s.referencedSeries === shown.seriesInstanceUid || !segmented.some((t) => t.seriesInstanceUid === s.referencedSeries));
  const viewer = await openStack(host, study, shown.seriesInstanceUid);
  const { rows, columns, slices } = viewer.series.grid;
  const sops = viewer.series.instances.map((i) => String(i['00080018']?.Value?.[0]));
  const overlay = drawn.length > 0
    ? combineSegmentations(drawn.map((s, index) => ({ ...readSegmentation(s.metadata, s.pixelData, sops, rows, columns), source: s.description || `SEG ${index + 1}` })),
      rows * columns * slices)
    : { labels: new Uint8Array(rows * columns * slices), labelNames: { '1': 'Segment 1' }, overlapping: 0 };
  // The labelmap's code comes with Cornerstone's tools, loaded after the viewer's first image (as the viewer loads them).
  const { addLabelmap } = await import('../viewer/labelmap');
  const labelmap = await addLabelmap(viewer, overlay.labelNames);
  labelmap.load(overlay.labels);
  labelmap.useNavigation();
  host.dataset.overlay = drawn.length > 0 ? 'segmentation' : 'none';
  if (drawn.length > 0) panel.insertBefore(segmentLegend(labelmap, overlay, drawn.length, segmented.filter((s) => s !== shown), study), form);

  const correct = form.querySelector<HTMLButtonElement>('[data-action=correct]')!;
  correct.onclick = () => {
    const tools = labelTools(overlay.labelNames, 'Save correction', () => labelmap,
      () => void saveCorrection(viewer, labelmap, overlay.labelNames, study, result!.id, version.model.feedbackDataset?.id ?? null, giveFeedback, message)
        .catch((error) => showError(message, error)));
    tools.setup(labelmap);
    host.prepend(tools.element);
    tools.choose('brush');
    correct.disabled = true;
  };
  correct.disabled = false; // disabled in the markup until there is a labelmap to correct
}

/**
 * The segments drawn, each in its colour, and the other series the result segmented (each opens this page on it): a
 * result may write a segmentation per series it read.
 */
function segmentLegend(labelmap: Labelmap, overlay: CombinedSegmentation, segmentations: number, others: SeriesSummary[], study: string): HTMLElement {
  const legend = element(`<div class="segments"><h3>${segmentations === 1 ? 'Segmentation' : `${segmentations} segmentations`}</h3>
    <ul data-testid="segments">${Object.entries(overlay.labelNames).map(([value, name]) => {
      const [r, g, b] = labelmap.colour(Number(value));
      return `<li data-segment="${value}"><span class="swatch" style="background: rgb(${r} ${g} ${b})"></span>${escapeHtml(name)}</li>`;
    }).join('')}</ul></div>`);
  if (overlay.overlapping > 0) {
    legend.append(element(`<p>${overlay.overlapping} voxels lie in segments of two segmentations; the later one's segment is drawn there.</p>`));
  }
  if (others.length > 0) {
    legend.append(element(`<p>Also segmented: ${others.map((s) => `<a href="/review?study=${encodeURIComponent(study)}&series=${encodeURIComponent(s.seriesInstanceUid)}">${
      escapeHtml(s.description || `series ${s.seriesInstanceUid}`)}</a>`).join(', ')}.</p>`));
  }
  return legend;
}

/** The corrected labelmap as a label revision of the study's case, then the CORRECT verdict naming it. */
async function saveCorrection(viewer: StackViewer, labelmap: Labelmap, labelNames: Record<string, string>, study: string, resultId: string,
  feedbackDatasetId: string | null, giveFeedback: (verdict: string, revisionId: string) => Promise<{ giveFeedback: { id: string } }>,
  message: HTMLElement): Promise<void> {
  message.textContent = 'Saving the correction…';
  const { studyCases } = await graphql<{ studyCases: { items: StudyCase[] } }>(
    'query($study: String!) { studyCases(study: $study, first: 100) { items { id currentRevision dataset { id name } } } }', { study });
  const target = caseForCorrection(studyCases.items, feedbackDatasetId) ?? (await graphql<{ openCorrectionCase: StudyCase }>(
    'mutation($input: OpenCorrectionCaseInput!) { openCorrectionCase(input: $input) { id currentRevision dataset { id name } } }',
    { input: { inferenceResultId: resultId } })).openCorrectionCase;
  const header = headerFor(viewer.series.grid, [viewer.series.seriesInstanceUid], labelNames);
  const digest = await uploadBlob(packMask(header, labelmap.voxels()));
  const { submitLabel } = await graphql<{ submitLabel: { id: string; revision: number } }>(
    'mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id revision } }',
    { input: { caseId: target.id, baseRevision: target.currentRevision, kind: 'SEGMENTATION', blobDigest: digest } });
  const { giveFeedback: given } = await giveFeedback('CORRECT', submitLabel.id);
  message.innerHTML = `<p class="saved" data-testid="correction-saved" data-label-revision-id="${submitLabel.id}" data-feedback-id="${given.id}">
    Corrected: revision ${submitLabel.revision} of the case in ${escapeHtml(target.dataset.name)}.</p>`;
}
