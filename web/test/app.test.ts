import { describe, expect, it } from 'vitest';
import { ApiError, readAnswer } from '../src/api/graphql';
import { pagesFor, signInUrl } from '../src/api/session';
import { noResultExplanation, type Result } from '../src/review/result';
import { autoWindow, presetsFor, toRange } from '../src/viewer/windowPresets';
import { formatMetrics } from '../src/pages/modelMetrics';
import { curvePoints } from '../src/pages/lossCurve';

describe('GraphQL answers', () => {
  it('turn the first error into an ApiError with its code and details', () => {
    const answer = { errors: [{ message: 'moved on', extensions: { code: 'LABEL_REVISION_CONFLICT', currentRevision: 2 } }] };

    const error = (() => { try { readAnswer(answer, 200); } catch (e) { return e as ApiError; } })()!;

    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe('LABEL_REVISION_CONFLICT');
    expect(error.details).toEqual({ currentRevision: 2 });
  });

  it('carry the details labeling sends under extensions.data', () => {
    const answer = { errors: [{ message: 'moved on', extensions: { code: 'LABEL_REVISION_CONFLICT', data: { currentRevision: 3, caseId: 'c' } } }] };

    const error = (() => { try { readAnswer(answer, 200); } catch (e) { return e as ApiError; } })()!;

    expect(error.details).toEqual({ currentRevision: 3, caseId: 'c' });
  });

  it('without data or errors read as unauthenticated on a 401', () => {
    expect(() => readAnswer({}, 401)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });
});

describe('navigation', () => {
  it('offers an annotator the workspace but not the review page', () => {
    expect(pagesFor(['annotator']).map((page) => page.path)).toEqual(['/annotate', '/datasets', '/models']);
  });

  it('signs in and comes back to the same address', () => {
    expect(signInUrl('/review?study=1.2')).toBe('/account/signin?returnUrl=%2Freview%3Fstudy%3D1.2');
  });
});

describe('windows', () => {
  it('offer the CT presets only for CT', () => {
    expect(presetsFor('CT').map((p) => p.key)).toEqual(['brain', 'abdomen', 'bone', 'auto']);
    expect(presetsFor('MR').map((p) => p.key)).toEqual(['auto']);
  });

  it('window an MR image on its own range without its brightest outliers', () => {
    const pixels = [...Array.from({ length: 1000 }, (_, i) => i % 200), 60000];
    const range = toRange(autoWindow(pixels));
    expect(range.lower).toBe(2);
    expect(range.upper).toBe(198);
  });
});

describe('review', () => {
  const result = (overrides: Partial<Result>): Result => ({
    id: 'r', pipeline: 'liver-ct', failure: null, failureReason: null, completedAt: '', resultUids: [], routing: null,
    modelVersion: null, feedback: [], ...overrides,
  });

  it('says why a study has no result', () => {
    expect(noResultExplanation(result({ failure: 'NO_RULE_MATCHED' }))).toMatch(/no routing rule matched/);
    expect(noResultExplanation(result({ failure: 'MISSING_SERIES', failureReason: 'no FLAIR' }))).toMatch(/missing series\. no FLAIR/);
    expect(noResultExplanation(result({ pipeline: 'pass-through' }))).toMatch(/runs no model/);
  });

  it('says a study inference never received was never sent', () => {
    expect(noResultExplanation(undefined, [])).toMatch(/inference never received it\. Send the study to the DICOM listener/);
  });

  it('says a received study without a result is still being processed', () => {
    expect(noResultExplanation(undefined, [{ receivedAt: '2026-12-06T04:00:00Z', instanceCount: 32, forwarding: null }]))
      .toMatch(/received it \(32 instances, .*\) and is still processing it/);
  });

  it('says a study stuck on its way to labeling could not be handed over, and why', () => {
    expect(noResultExplanation(undefined, [{ receivedAt: '2026-12-06T04:00:00Z', instanceCount: 1, forwarding: { isStuck: true, reason: 'labeling refused it.' } }]))
      .toMatch(/1 instance, .* could not hand it to labeling: labeling refused it\. An admin retries it/);
  });

  it('shows metrics with three decimals', () => {
    expect(formatMetrics([{ name: 'dice', value: 0.81234 }, { name: 'epochs', value: 4 }])).toBe('dice 0.812, epochs 4');
  });
});

describe('loss curve', () => {
  it('draws the first epoch at the left and the highest loss at the top', () => {
    expect(curvePoints([{ epoch: 1, loss: 2 }, { epoch: 3, loss: 1 }], 200, 60)).toBe('0.0,0.0 200.0,60.0');
  });
});
