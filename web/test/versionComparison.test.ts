import { describe, expect, it } from 'vitest';
import { compareVersions, type ComparedVersion } from '../src/pages/versionComparison';

const version = (number: number, overrides: Partial<ComparedVersion> = {}): ComparedVersion => ({
  id: `v${number}`,
  number,
  stage: 'CANDIDATE',
  registeredAt: '2026-12-01T10:00:00Z',
  metrics: [{ name: 'dice', value: 0.8 }],
  lineage: { baseVersionId: null, labelRevisionIds: ['a', 'b'], feedbackIds: [], dataCut: 10, codeVersion: 'abc' },
  evaluation: null,
  shadowReport: null,
  ...overrides,
});

const row = (rows: ReturnType<typeof compareVersions>, label: string) => rows.find((r) => r.label === label);

describe('comparing two versions', () => {
  it('gives each metric of either version with the second one\'s difference from the first', () => {
    const rows = compareVersions(version(1), version(2, { metrics: [{ name: 'dice', value: 0.85 }, { name: 'hd95', value: 4 }] }));

    expect(row(rows, 'dice')).toEqual({ label: 'dice', first: '0.800', second: '0.850', difference: '+0.050' });
    expect(row(rows, 'hd95')).toEqual({ label: 'hd95', first: '—', second: '4', difference: '' });
  });

  it('counts the label revisions and feedback each version was trained on', () => {
    const second = version(2, { lineage: { baseVersionId: 'v1', labelRevisionIds: ['a', 'b', 'c'], feedbackIds: ['f'], dataCut: 12, codeVersion: 'def' } });

    const rows = compareVersions(version(1), second);

    expect(row(rows, 'Label revisions')).toEqual({ label: 'Label revisions', first: '2', second: '3', difference: '+1' });
    expect(row(rows, 'Feedback')).toEqual({ label: 'Feedback', first: '0', second: '1', difference: '+1' });
  });

  it('shows each evaluation split beside production and the gate\'s verdict', () => {
    const evaluated = version(2, { evaluation: { sets: [{ split: 'TEST', metric: 'dice', caseCount: 20, candidate: 0.84, production: 0.8 }], gateFailure: null } });

    const rows = compareVersions(version(1), evaluated);

    expect(row(rows, 'Evaluation (test)')).toEqual({ label: 'Evaluation (test)', first: '—', second: 'dice 0.840 (production 0.800) on 20 cases', difference: '' });
    expect(row(rows, 'Gate')).toEqual({ label: 'Gate', first: '—', second: 'passed', difference: '' });
  });

  it('compares agreement in shadow in percentage points, and adds no shadow rows when neither ran in shadow', () => {
    const report = { studies: 4, since: '2026-12-01T10:00:00Z', lastRecordedAt: '2026-12-02T10:00:00Z', meanAgreementWithProduction: 0.8125, labels: [], feedback: null };
    const rows = compareVersions(version(1), version(2, { shadowReport: report }));

    expect(row(rows, 'Studies in shadow')).toEqual({ label: 'Studies in shadow', first: '0', second: '4', difference: '+4' });
    expect(row(rows, 'Shadow agreement with production')).toEqual({ label: 'Shadow agreement with production', first: '—', second: '81.3%', difference: '' });
    expect(row(compareVersions(version(1, { shadowReport: { ...report, meanAgreementWithProduction: 0.9 } }), version(2, { shadowReport: report })),
      'Shadow agreement with production')!.difference).toBe('−8.8 points');
    expect(compareVersions(version(1), version(2)).some((r) => r.label.includes('shadow'))).toBe(false);
  });
});
