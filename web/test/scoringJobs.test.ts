import { describe, expect, it } from 'vitest';
import { jobStatusText, methodText, unfinished, type ScoringJobRow } from '../src/labels/scoringJobs';

const requested: ScoringJobRow = {
  id: 'j', modelId: 'm', versionId: 'v', method: 'entropy', clusters: 0, trigger: 'strategy-set', requestedBy: 'ml', requestedAt: '2026-12-07T10:00:00Z',
  status: 'REQUESTED', attempt: 0, worker: null, leaseExpiresAt: null, caseCount: null, failureReason: null, finishedAt: null,
};

describe('a scoring job', () => {
  it('says where it stands at each status', () => {
    expect(jobStatusText(requested)).toBe('waiting for a training worker');
    expect(jobStatusText({ ...requested, attempt: 2 })).toBe('waiting for a training worker again (attempt 2)');
    expect(jobStatusText({ ...requested, status: 'RUNNING', attempt: 1, worker: 'worker-1', leaseExpiresAt: '2026-12-07T10:05:00Z' }))
      .toBe('running on worker-1, lease until 2026-12-07 10:05 UTC');
    expect(jobStatusText({ ...requested, status: 'SUCCEEDED', attempt: 1, caseCount: 1, finishedAt: '2026-12-07T10:06:00Z' }))
      .toBe('succeeded: 1 case scored at 2026-12-07 10:06 UTC');
    expect(jobStatusText({ ...requested, status: 'FAILED', attempt: 3, failureReason: 'no GPU', finishedAt: '2026-12-07T10:07:00Z' }))
      .toBe('failed at 2026-12-07 10:07 UTC: no GPU');
  });

  it('names its clustering with its method', () => {
    expect([methodText(requested), methodText({ method: 'entropy', clusters: 8 })]).toEqual(['entropy', 'entropy, 8 clusters']);
  });

  it('is read again only while a job may still change', () => {
    expect([unfinished([requested]), unfinished([{ status: 'RUNNING' }]), unfinished([{ status: 'SUCCEEDED' }, { status: 'FAILED' }]), unfinished([])])
      .toEqual([true, true, false, false]);
  });
});
