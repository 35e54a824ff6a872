import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/graphql';
import { pagesFor } from '../src/api/session';
import {
  busiestSlice, correctionRefusalAdvice, pageRange, queueItems, refusalAdvice, segmentExtents, seriesCaptions, type RevisionInfo, type SubmittedCase,
} from '../src/labels/labelReview';

const revision = (id: string, number: number | null, status = 'SUBMITTED'): RevisionInfo => ({
  id, revision: number, kind: 'SEGMENTATION', blobDigest: `sha256:${id}`, status, submittedBy: 'annotator',
  submittedAt: '2026-12-07T10:00:00Z', reviewedBy: null, reviewComment: null,
});

const submittedCase = (id: string, currentRevisionId: string | null, history: RevisionInfo[]): SubmittedCase => ({
  id, studyInstanceUid: `1.2.${id}`, currentRevision: history.length, currentRevisionId, labelStatus: 'SUBMITTED', labelHistory: history,
});

describe('the review queue', () => {
  it('offers each case with its current revision, not an earlier or a conflicted one', () => {
    const cases = [
      submittedCase('a', 'a2', [revision('a1', 1, 'REJECTED'), revision('a2', 2), revision('ax', null, 'CONFLICTED')]),
      submittedCase('b', 'b1', [revision('b1', 1)]),
    ];

    expect(queueItems(cases).map((item) => [item.caseId, item.revision.id, item.revision.revision])).toEqual([['a', 'a2', 2], ['b', 'b1', 1]]);
  });

  it('leaves out a case whose current revision is not in its history', () => {
    expect(queueItems([submittedCase('c', null, [])])).toEqual([]);
  });

  it('says which rows of how many a page shows', () => {
    expect(pageRange(0, 10, 23)).toBe('1–10 of 23');
    expect(pageRange(20, 3, 23)).toBe('21–23 of 23');
    expect(pageRange(0, 0, 0)).toBe('0 of 0');
  });

  it('is on the radiologist\'s menu only', () => {
    expect(pagesFor(['radiologist']).map((page) => page.title)).toContain('Review labels');
    expect(pagesFor(['annotator', 'ml-engineer', 'admin']).map((page) => page.path)).not.toContain('/review-labels');
  });
});

describe('a segmentation under review', () => {
  // 3 slices of 2×2: segment 1 on slices 0 and 2, segment 2 on slice 2 only.
  const labels = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 0]);

  it('lists each segment with its name, voxels and slices', () => {
    expect(segmentExtents(labels, 4, { '1': 'liver', '2': 'liver lesion' })).toEqual([
      { value: 1, name: 'liver', voxels: 2, firstSlice: 0, lastSlice: 2 },
      { value: 2, name: 'liver lesion', voxels: 2, firstSlice: 2, lastSlice: 2 },
    ]);
  });

  it('names a value the names lack by its number', () => {
    expect(segmentExtents(Uint8Array.from([0, 3]), 2, {}).map((extent) => extent.name)).toEqual(['Segment 3']);
  });

  it('opens at the slice with the most labelled voxels, the first of equals', () => {
    expect(busiestSlice(labels, 4)).toBe(2);
    expect(busiestSlice(Uint8Array.from([0, 1, 1, 0, 0, 0]), 2)).toBe(0);
  });

  it('has no slice to open at when it is empty', () => {
    expect(busiestSlice(new Uint8Array(8), 4)).toBeUndefined();
  });
});

describe('a refused decision', () => {
  it('says the label changed, to which revision, and to reload', () => {
    const advice = refusalAdvice(new ApiError('not current', 'LABEL_REVISION_CONFLICT', { currentRevision: 3 }), 2);

    expect(advice).toBe('The case\'s label changed while you reviewed revision 2: it is at revision 3 now. '
      + 'Your decision was not recorded. Reload to review the current revision.');
  });

  it('says a revision replaced under the same number was replaced', () => {
    expect(refusalAdvice(new ApiError('not current', 'LABEL_REVISION_CONFLICT', { currentRevision: 2 }), 2)).toMatch(/another revision replaced it/);
  });

  it('says someone reviewed it first, with the API\'s words', () => {
    expect(refusalAdvice(new ApiError('Revision 1 of case c is Approved already.', 'LABEL_ALREADY_REVIEWED'), 1))
      .toMatch(/^Someone reviewed revision 1 first \(Revision 1 of case c is Approved already\.\)\. Your decision was not recorded\. Reload/);
  });

  it('leaves other errors to be shown as they are', () => {
    expect(refusalAdvice(new ApiError('down', 'ERROR'), 1)).toBeUndefined();
    expect(refusalAdvice(new Error('network'), 1)).toBeUndefined();
  });
});

describe('the series a label is shown on', () => {
  it('are captioned by the dataset\'s channels when it names one per series', () => {
    expect(seriesCaptions(['T1', 'T1c', 'T2', 'FLAIR'], 4)).toEqual(['T1', 'T1c', 'T2', 'FLAIR']);
  });

  it('are numbered when the dataset names no channels or another number of them', () => {
    expect(seriesCaptions([], 2)).toEqual(['Series 1', 'Series 2']);
    expect(seriesCaptions(['T1', 'T2'], 3)).toEqual(['Series 1', 'Series 2', 'Series 3']);
  });
});

describe('a correction that was not approved', () => {
  it('says the label changed meanwhile, that the correction is kept as a conflicted revision, and to reload', () => {
    const advice = correctionRefusalAdvice(new ApiError('not current', 'LABEL_REVISION_CONFLICT', { currentRevision: 3 }), 2);

    expect(advice).toBe('The case\'s label changed while you corrected revision 2: it is at revision 3 now. Your correction is kept in '
      + 'the case\'s history as a conflicted revision and nothing was approved. Reload to review the current revision.');
  });

  it('says which revision holds a correction saved but not approved, with the reason, whatever the error', () => {
    expect(correctionRefusalAdvice(new ApiError('Revision 3 of case c is Approved already.', 'LABEL_ALREADY_REVIEWED'), 2, 3))
      .toBe('Your correction is saved as revision 3, but it was not approved (Revision 3 of case c is Approved already.). '
        + 'Reload to see the case as it is now and decide again.');
    expect(correctionRefusalAdvice(new Error('network'), 2, 3)).toMatch(/^Your correction is saved as revision 3, but it was not approved \(network\)/);
  });

  it('leaves other errors before saving to be shown as they are', () => {
    expect(correctionRefusalAdvice(new ApiError('down', 'ERROR'), 1)).toBeUndefined();
    expect(correctionRefusalAdvice(new Error('network'), 1)).toBeUndefined();
  });
});
