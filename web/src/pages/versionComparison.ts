// Two versions of a model side by side: stage, metrics (with the second's difference from the first), what each was
// trained on (lineage counts), its evaluation beside production and how it did in shadow. Pure, so the registry page and
// its tests share it.

import { percent, type ShadowReport } from './shadowSummary';

export interface ComparedVersion {
  id: string;
  number: number;
  stage: string;
  registeredAt: string;
  metrics: { name: string; value: number }[];
  lineage: { baseVersionId: string | null; labelRevisionIds: string[]; feedbackIds: string[]; dataCut: number | null; codeVersion: string };
  evaluation: { sets: { split: string; metric: string; caseCount: number; candidate: number; production: number | null }[]; gateFailure: string | null } | null;
  shadowReport: ShadowReport | null;
}

export interface ComparisonRow {
  label: string;
  first: string;
  second: string;
  /** The second's value less the first's, for numbers both have. */
  difference: string;
}

const number = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(3));

const signed = (value: number) => (value > 0 ? `+${number(value)}` : value < 0 ? `−${number(-value)}` : '±0');

function numericRow(label: string, first: number | undefined, second: number | undefined): ComparisonRow {
  return {
    label,
    first: first === undefined ? '—' : number(first),
    second: second === undefined ? '—' : number(second),
    difference: first === undefined || second === undefined ? '' : signed(second - first),
  };
}

function evaluationText(version: ComparedVersion, split: string): string {
  const set = version.evaluation?.sets.find((s) => s.split === split);
  if (!set) return '—';
  return `${set.metric} ${number(set.candidate)}${set.production != null ? ` (production ${number(set.production)})` : ''} on ${set.caseCount} cases`;
}

/** Agreement in shadow as percentages, the difference in percentage points; no rows when neither version ran in shadow. */
function shadowRows(first: ComparedVersion, second: ComparedVersion): ComparisonRow[] {
  if (!first.shadowReport && !second.shadowReport) return [];
  const agreement = (version: ComparedVersion) => version.shadowReport?.meanAgreementWithProduction;
  const [a, b] = [agreement(first), agreement(second)];
  const points = a === undefined || b === undefined ? undefined : Math.round((b - a) * 1000) / 10;
  const difference = points === undefined ? '' : points === 0 ? '±0 points' : `${points > 0 ? '+' : '−'}${Math.abs(points).toFixed(1)} points`;
  return [
    numericRow('Studies in shadow', first.shadowReport?.studies ?? 0, second.shadowReport?.studies ?? 0),
    { label: 'Shadow agreement with production', first: a === undefined ? '—' : percent(a), second: b === undefined ? '—' : percent(b), difference },
  ];
}

/** The rows of the comparison of `first` and `second`, metrics by name in the order the first names them, then the second's own. */
export function compareVersions(first: ComparedVersion, second: ComparedVersion): ComparisonRow[] {
  const text = (label: string, a: string, b: string): ComparisonRow => ({ label, first: a, second: b, difference: '' });
  const metricNames = [...new Set([...first.metrics, ...second.metrics].map((metric) => metric.name))];
  const metric = (version: ComparedVersion, name: string) => version.metrics.find((m) => m.name === name)?.value;
  const splits = [...new Set([first, second].flatMap((version) => version.evaluation?.sets.map((set) => set.split) ?? []))];
  return [
    text('Stage', first.stage, second.stage),
    text('Registered', new Date(first.registeredAt).toLocaleString(), new Date(second.registeredAt).toLocaleString()),
    ...metricNames.map((name) => numericRow(name, metric(first, name), metric(second, name))),
    numericRow('Label revisions', first.lineage.labelRevisionIds.length, second.lineage.labelRevisionIds.length),
    numericRow('Feedback', first.lineage.feedbackIds.length, second.lineage.feedbackIds.length),
    text('Data cut', first.lineage.dataCut != null ? String(first.lineage.dataCut) : '—', second.lineage.dataCut != null ? String(second.lineage.dataCut) : '—'),
    text('Code version', first.lineage.codeVersion, second.lineage.codeVersion),
    ...(splits.length === 0
      ? [text('Evaluation', 'not evaluated', 'not evaluated')]
      : splits.map((split) => text(`Evaluation (${split.toLowerCase()})`, evaluationText(first, split), evaluationText(second, split)))),
    text('Gate', first.evaluation?.gateFailure ?? (first.evaluation ? 'passed' : '—'), second.evaluation?.gateFailure ?? (second.evaluation ? 'passed' : '—')),
    ...shadowRows(first, second),
  ];
}
