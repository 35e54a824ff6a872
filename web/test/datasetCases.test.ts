import { describe, expect, it } from 'vitest';
import {
  assignmentText, caseFilterOf, caseLinks, casesAddress, casesCountText, caseVariables, inSplit, scoreText, splitPart,
} from '../src/labels/datasetCases';

const split = { seed: 7, trainCaseIds: ['a'], validationCaseIds: ['b'], testCaseIds: ['c'] };

describe('the case list\'s filters', () => {
  it('reads a known status and an assignee from the address, and ignores an unknown status', () => {
    expect(caseFilterOf(new URLSearchParams('dataset=d&status=submitted&assignee=%20alice%20'))).toEqual({ status: 'SUBMITTED', assignee: 'alice' });
    expect(caseFilterOf(new URLSearchParams('status=LOST'))).toEqual({ status: '', assignee: '' });
  });

  it('sends no filter for what was left empty', () => {
    expect(caseVariables('d', { status: '', assignee: '' }, 25, null))
      .toEqual({ dataset: 'd', labelStatus: null, assignedTo: null, first: 25, after: null });
    expect(caseVariables('d', { status: 'REJECTED', assignee: 'bob' }, 25, 'c1'))
      .toEqual({ dataset: 'd', labelStatus: 'REJECTED', assignedTo: 'bob', first: 25, after: 'c1' });
  });

  it('keeps the filters in the address of the next page', () => {
    expect(casesAddress('d 1', { status: 'SUBMITTED', assignee: 'alice' }, 'YXJy')).toBe('/datasets?dataset=d+1&status=SUBMITTED&assignee=alice&after=YXJy');
    expect(casesAddress('d', { status: '', assignee: '' })).toBe('/datasets?dataset=d');
  });

  it('counts the filtered cases in words', () => {
    expect(casesCountText(1, { status: '', assignee: '' })).toBe('1 case');
    expect(casesCountText(3, { status: 'SUBMITTED', assignee: 'alice' })).toBe('3 submitted cases assigned to alice');
  });
});

describe('a case row', () => {
  it('says who holds the case and until when', () => {
    expect(assignmentText({ assignedTo: null, assignmentExpiresAt: null })).toBe('free');
    expect(assignmentText({ assignedTo: 'alice', assignmentExpiresAt: '2026-12-07T14:05:30+00:00' })).toBe('alice until 2026-12-07 14:05 UTC');
    expect(assignmentText({ assignedTo: 'bob', assignmentExpiresAt: null })).toBe('bob (no end)');
  });

  it('names the part of the fixed split the case is in', () => {
    expect(['a', 'b', 'c', 'later'].map((id) => splitPart(id, split))).toEqual(['train', 'validation', 'test', 'not in the split']);
    expect(splitPart('a', null)).toBe('not fixed');
    expect([inSplit('a', split), inSplit('later', split), inSplit('a', null)]).toEqual([true, false, false]);
  });

  it('shows the latest score with its method, or that there is none', () => {
    expect(scoreText({ method: 'entropy', value: 0.73149, scoredAt: '2026-12-07T09:00:00Z' })).toBe('entropy 0.731 (2026-12-07 09:00 UTC)');
    expect(scoreText(null)).toBe('not scored');
  });

  it('links to the pages the roles open: annotate an unapproved case, review a submitted label', () => {
    const annotator = new Set(['/annotate', '/datasets']);
    const radiologist = new Set(['/annotate', '/review-labels', '/datasets']);
    const texts = (labelStatus: string, paths: Set<string>) => caseLinks({ id: 'c', studyInstanceUid: '1.2', labelStatus }, 'd', paths).map((link) => link.text);

    expect(texts('UNLABELLED', annotator)).toEqual(['View study', 'Annotate']);
    expect(texts('SUBMITTED', radiologist)).toEqual(['View study', 'Annotate', 'Review label']);
    expect(texts('APPROVED', radiologist)).toEqual(['View study']);
    expect(texts('UNLABELLED', new Set(['/datasets']))).toEqual(['View study']);
    expect(caseLinks({ id: 'c', studyInstanceUid: '1.2', labelStatus: 'SUBMITTED' }, 'd', radiologist)[2].href).toBe('/review-labels?dataset=d&case=c');
  });
});
