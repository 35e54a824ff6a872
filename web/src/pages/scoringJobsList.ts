// A dataset's scoring jobs (scoringJobs, newest first): which production version scored or is to score its cases, by
// which method, and where each job stands. No subscription reports them, so while one may still change the list is
// read again every few seconds, and Refresh reads it at once.

import { graphql } from '../api/graphql';
import { instantText } from '../labels/datasetCases';
import { isScored } from '../labels/datasetSettings';
import { jobStatusText, methodText, unfinished, type ScoringJobRow } from '../labels/scoringJobs';
import { element, escapeHtml, showError } from '../ui';

const jobFields = 'id modelId versionId method clusters trigger requestedBy requestedAt status attempt worker leaseExpiresAt caseCount failureReason finishedAt';

/** How often the list is read again while a job is waiting or running. */
const refreshMs = 5000;

interface VersionName {
  number: number;
  model: { name: string };
}

async function loadJobs(datasetId: string): Promise<{ jobs: ScoringJobRow[]; versions: Map<string, VersionName> }> {
  const { scoringJobs } = await graphql<{ scoringJobs: ScoringJobRow[] }>(
    `query($dataset: ID!) { scoringJobs(dataset: $dataset) { ${jobFields} } }`, { dataset: datasetId });
  const ids = [...new Set(scoringJobs.map((job) => job.versionId))];
  if (ids.length === 0) return { jobs: [], versions: new Map() };
  const answer = await graphql<Record<string, VersionName | null>>(
    `query(${ids.map((_, i) => `$v${i}: ID!`).join(', ')}) { ${ids.map((_, i) => `v${i}: modelVersion(id: $v${i}) { number model { name } }`).join(' ')} }`,
    Object.fromEntries(ids.map((id, i) => [`v${i}`, id])));
  return { jobs: scoringJobs, versions: new Map(ids.flatMap((id, i) => (answer[`v${i}`] ? [[id, answer[`v${i}`]!] as const] : []))) };
}

function jobLine(job: ScoringJobRow, versions: Map<string, VersionName>): string {
  const version = versions.get(job.versionId);
  return `<tr data-testid="scoring-job" data-job-id="${escapeHtml(job.id)}" data-status="${job.status}">
    <td>${escapeHtml(instantText(job.requestedAt))}<br><small>${escapeHtml(job.requestedBy)}, ${escapeHtml(job.trigger)}</small></td>
    <td data-testid="job-version">${version ? `${escapeHtml(version.model.name)} v${version.number}` : `version ${escapeHtml(job.versionId)}`}</td>
    <td data-testid="job-method">${escapeHtml(methodText(job))}</td>
    <td data-testid="job-status">${escapeHtml(jobStatusText(job))}</td></tr>`;
}

export async function showScoringJobs(host: HTMLElement, dataset: { id: string; activeLearning: { strategy: string } | null }): Promise<void> {
  const refresh = element('<button type="button" data-action="refresh-jobs">Refresh</button>');
  const list = element('<div aria-live="polite"><p>Loading scoring jobs…</p></div>');
  host.append(refresh, list);
  let timer: number | undefined;
  const load = async () => {
    window.clearTimeout(timer);
    try {
      const { jobs, versions } = await loadJobs(dataset.id);
      list.replaceChildren();
      if (jobs.length === 0) {
        const strategy = dataset.activeLearning?.strategy ?? 'first';
        list.append(element(`<p data-testid="no-jobs">${isScored(strategy)
          ? `No scoring job yet: the ${escapeHtml(strategy)} strategy requests one when its model has a version in production (promote one on the Models page).`
          : `No scoring job: this dataset hands out cases by ${escapeHtml(strategy)}, which scores nothing. An ML engineer chooses a scored strategy under Active learning on the list of datasets.`}</p>`));
      } else {
        list.append(element(`<table class="jobs-list"><thead><tr><th scope="col">Requested</th><th scope="col">Model version</th>
          <th scope="col">Method</th><th scope="col">Status</th></tr></thead><tbody>${jobs.map((job) => jobLine(job, versions)).join('')}</tbody></table>`));
      }
      if (unfinished(jobs) && host.isConnected) timer = window.setTimeout(() => void load(), refreshMs);
    } catch (error) {
      list.replaceChildren();
      showError(list, error);
    }
  };
  refresh.onclick = () => void load();
  await load();
}
