// A dataset's scoring jobs in words: the training worker scoring its unlabelled cases with a model's production
// version for a scored active-learning strategy (labeling's ScoringJob), newest first as scoringJobs answers them.

import { instantText } from './datasetCases';

export interface ScoringJobRow {
  id: string;
  modelId: string;
  versionId: string;
  method: string;
  clusters: number;
  trigger: string;
  requestedBy: string;
  requestedAt: string;
  status: 'REQUESTED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  attempt: number;
  worker: string | null;
  leaseExpiresAt: string | null;
  caseCount: number | null;
  failureReason: string | null;
  finishedAt: string | null;
}

/** Whether a job may still change (the page asks again while one may). */
export function unfinished(jobs: Pick<ScoringJobRow, 'status'>[]): boolean {
  return jobs.some((job) => job.status === 'REQUESTED' || job.status === 'RUNNING');
}

/** The scoring method with its clustering: "entropy", "entropy, 8 clusters". */
export function methodText(job: Pick<ScoringJobRow, 'method' | 'clusters'>): string {
  return job.clusters > 0 ? `${job.method}, ${job.clusters} clusters` : job.method;
}

/** Where the job stands, with what to expect or what went wrong. */
export function jobStatusText(job: ScoringJobRow): string {
  const attempt = job.attempt > 1 ? ` (attempt ${job.attempt})` : '';
  switch (job.status) {
    case 'REQUESTED':
      return job.attempt > 0 ? `waiting for a training worker again${attempt}` : 'waiting for a training worker';
    case 'RUNNING':
      return `running on ${job.worker ?? 'a worker'}${attempt}${job.leaseExpiresAt ? `, lease until ${instantText(job.leaseExpiresAt)}` : ''}`;
    case 'SUCCEEDED':
      return `succeeded: ${job.caseCount ?? 0} ${job.caseCount === 1 ? 'case' : 'cases'} scored${job.finishedAt ? ` at ${instantText(job.finishedAt)}` : ''}`;
    case 'FAILED':
      return `failed${job.finishedAt ? ` at ${instantText(job.finishedAt)}` : ''}: ${job.failureReason ?? 'no reason given'}`;
    default:
      return String(job.status).toLowerCase();
  }
}
