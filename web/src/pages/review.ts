// Radiologist review, launched by a PACS as /review?study=<StudyInstanceUID>: the study's images, the AI result of the
// newest run (which model version, its metrics, what it found), and the radiologist's verdict (giveFeedback).

import { graphql } from '../api/graphql';
import type { Me } from '../api/session';
import { imageSeries, listSeries } from '../dicomweb/series';
import { noResultExplanation, type Result } from '../review/result';
import { element, escapeHtml, showError } from '../ui';
import { formatMetrics } from './modelMetrics';
import { dicomweb, openStack } from '../viewer/stackViewer';

export async function showReview(main: HTMLElement, _me: Me, query: URLSearchParams): Promise<void> {
  const study = query.get('study');
  main.innerHTML = '<h1>Review</h1>';
  if (!study) {
    main.append(element('<p>Open a study from the PACS, or add <code>?study=&lt;StudyInstanceUID&gt;</code> to this address.</p>'));
    return;
  }
  const { inferenceResults } = await graphql<{ inferenceResults: { items: Result[] } }>(
    `query($study: String!) { inferenceResults(study: $study, first: 1) { items { id pipeline failure failureReason completedAt resultUids
      routing { ruleName explanation } modelVersion { id number stage metrics { name value } model { name } }
      feedback { verdict radiologist comment givenAt } } } }`, { study });
  const result = inferenceResults.items[0];
  const panel = element('<aside class="result" data-testid="result"></aside>');
  const host = element('<div class="viewer-host"></div>');
  main.append(element(`<p>Study <code>${escapeHtml(study)}</code></p>`), element('<div class="review"></div>'));
  main.querySelector('.review')!.append(host, panel);
  const missing = noResultExplanation(result);
  if (missing) {
    panel.append(element(`<p data-testid="no-result">${escapeHtml(missing)}</p>`));
    if (result?.routing?.explanation.length) {
      panel.append(element(`<ul>${result.routing.explanation.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`));
    }
  } else {
    const version = result!.modelVersion!;
    panel.append(element(`<div><h2>${escapeHtml(version.model.name)} v${version.number} <small>${version.stage}</small></h2>
      <p>${escapeHtml(formatMetrics(version.metrics))}</p>
      <p>Result of ${new Date(result!.completedAt).toLocaleString()}: ${result!.resultUids.length} object(s) written.</p></div>`));
    panel.append(element(`<ul class="feedback">${result!.feedback
      .map((f) => `<li>${f.verdict} by ${escapeHtml(f.radiologist)}${f.comment ? `: ${escapeHtml(f.comment)}` : ''}</li>`)
      .join('')}</ul>`));
    const form = element<HTMLFormElement>(`<form class="verdict"><label>Reason or comment <input name="comment"></label>
      <button type="submit" name="verdict" value="ACCEPT">Accept</button>
      <button type="submit" name="verdict" value="REJECT">Reject</button></form>`);
    panel.append(form);
    form.onsubmit = async (event) => {
      event.preventDefault();
      const verdict = ((event as SubmitEvent).submitter as HTMLButtonElement).value;
      const comment = new FormData(form).get('comment') as string;
      if (verdict === 'REJECT' && !comment) {
        showError(panel, 'Say why you reject the result (the reason goes to the model\'s engineers).');
        return;
      }
      try {
        await graphql(`mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }`,
          { input: { inferenceResultId: result!.id, verdict, comment: comment || null } });
        panel.append(element(`<p class="saved" data-testid="feedback-saved">${verdict === 'ACCEPT' ? 'Accepted' : 'Rejected'}.</p>`));
      } catch (error) {
        showError(panel, error);
      }
    };
  }
  const series = imageSeries(await listSeries(dicomweb, study));
  if (series.length === 0) {
    host.append(element('<p>The archive holds no image series of this study.</p>'));
    return;
  }
  await openStack(host, study, series[0].seriesInstanceUid);
}
