import { describe, expect, it } from 'vitest';
import { pagesFor } from '../src/api/session';
import { importProgress, routingSummary } from '../src/operations/summaries';

describe('the operations page', () => {
  it('is offered to admins only', () => {
    expect(pagesFor(['admin']).map((page) => page.path)).toContain('/operations');
    expect(pagesFor(['ml-engineer', 'radiologist', 'annotator']).map((page) => page.path)).not.toContain('/operations');
  });

  it('words an import as studies done of studies asked for', () => {
    expect(importProgress({ status: 'RUNNING', studyInstanceUids: ['1', '2', '3'], studiesImported: 1, instancesFetched: 40, instancesSkipped: 2, failureReason: null }))
      .toBe('1 of 3 studies, 40 instances (2 already there)');
  });

  it('names the labeling replica running an import, or that none holds it', () => {
    const running = { status: 'RUNNING' as const, studyInstanceUids: ['1', '2'], studiesImported: 1, instancesFetched: 3, instancesSkipped: 0, failureReason: null };
    expect(importProgress({ ...running, holder: 'labeling-b' })).toBe('1 of 2 studies, 3 instances; run by labeling-b');
    expect(importProgress({ ...running, holder: null })).toBe('1 of 2 studies, 3 instances; waiting for a replica to take it over');
    expect(importProgress({ ...running, status: 'COMPLETED', studiesImported: 2, holder: null })).toBe('2 of 2 studies, 3 instances');
  });

  it('says why an import failed', () => {
    expect(importProgress({ status: 'FAILED', studyInstanceUids: ['1'], studiesImported: 0, instancesFetched: 0, instancesSkipped: 0, failureReason: 'PACS down' }))
      .toBe('0 of 1 studies, 0 instances; failed: PACS down');
  });

  it('names the rule and model that routed a result', () => {
    expect(routingSummary({ failure: null, failureReason: null, routing: { ruleName: 'liver', explanation: [] }, modelVersion: { number: 3, model: { name: 'liver-seg' } } }))
      .toBe('rule "liver" → liver-seg v3');
  });

  it('says when no rule matched', () => {
    expect(routingSummary({ failure: 'NO_RULE_MATCHED', failureReason: 'x', routing: { ruleName: null, explanation: ['…'] }, modelVersion: null }))
      .toBe('no rule matched');
  });
});
