import { describe, expect, it } from 'vitest';
import { percent, shadowHeadline, shadowLine, shadowSummary, type ShadowReport } from '../src/pages/shadowSummary';

const report: ShadowReport = {
  studies: 3,
  since: '2026-12-01T10:00:00Z',
  lastRecordedAt: '2026-12-02T10:00:00Z',
  meanAgreementWithProduction: 0.875,
  labels: [{ label: 'lesion', agreement: 0.75 }, { label: 'liver', agreement: 1 }],
  feedback: null,
};

describe('what the registry says about shadows', () => {
  it('writes an agreement as a percentage with one decimal', () => {
    expect(percent(0.875)).toBe('87.5%');
    expect(percent(1)).toBe('100.0%');
    expect(percent(0)).toBe('0.0%');
  });

  it('names the version in shadow and who started it, or says none runs', () => {
    expect(shadowLine({ version: { id: 'v2', number: 2 }, shadowedBy: 'alice', shadowedAt: '2026-12-01T10:00:00Z' }))
      .toBe(`v2 runs in shadow beside production, started by alice on ${new Date('2026-12-01T10:00:00Z').toLocaleString()}.`);
    expect(shadowLine(null)).toBe('No version runs in shadow.');
  });

  it('sums a report up in one line', () => {
    expect(shadowHeadline(report)).toBe('87.5% agreement with production on 3 studies');
    expect(shadowHeadline({ ...report, studies: 1 })).toBe('87.5% agreement with production on 1 study');
  });

  it('lists the agreement with production overall and per label, and says when no radiologist gave a verdict yet', () => {
    const rows = shadowSummary(report);

    expect(rows.map((row) => row.label)).toEqual(['Studies in shadow', 'Agreement with production', 'Agreement with production: lesion',
      'Agreement with production: liver', 'Radiologists’ verdicts']);
    expect(rows.slice(1).map((row) => row.value)).toEqual(['87.5%', '75.0%', '100.0%', 'none yet']);
    expect(rows[0].value).toMatch(/^3, from /);
  });

  it('adds the agreement with radiologists and the corrections it could be compared with', () => {
    const rows = shadowSummary({ ...report, feedback: { studies: 2, meanAgreement: 0.5, corrected: 2, correctedCompared: 1 } });

    expect(rows.slice(-3)).toEqual([
      { label: 'Studies with a radiologist’s verdict', value: '2' },
      { label: 'Agreement with radiologists', value: '50.0%' },
      { label: 'Corrected (compared with the shadow)', value: '2 (1)' },
    ]);
    expect(shadowSummary({ ...report, feedback: { studies: 1, meanAgreement: null, corrected: 0, correctedCompared: 0 } })
      .find((row) => row.label === 'Agreement with radiologists')!.value).toBe('none scored');
  });
});
