// What the registry says about shadows: which version a model runs beside production, and how a version did there
// (agreement with production, and with radiologists' later verdicts). Pure, so the page and its tests share it.

export interface LabelAgreement {
  label: string;
  agreement: number;
}

export interface ShadowReport {
  studies: number;
  since: string;
  lastRecordedAt: string;
  meanAgreementWithProduction: number;
  labels: LabelAgreement[];
  feedback: { studies: number; meanAgreement: number | null; corrected: number; correctedCompared: number } | null;
}

export interface ModelShadow {
  version: { id: string; number: number };
  shadowedBy: string;
  shadowedAt: string;
}

export interface ShadowRow {
  label: string;
  value: string;
}

/** An agreement (0 to 1) as a percentage with one decimal: 0.875 → "87.5%". */
export const percent = (agreement: number) => `${(agreement * 100).toFixed(1)}%`;

/** The line under a model's heading: the version in shadow, who started it and when, or that none runs. */
export function shadowLine(shadow: ModelShadow | null): string {
  return shadow
    ? `v${shadow.version.number} runs in shadow beside production, started by ${shadow.shadowedBy} on ${new Date(shadow.shadowedAt).toLocaleString()}.`
    : 'No version runs in shadow.';
}

/** The one-line summary a version's row shows of its report. */
export function shadowHeadline(report: ShadowReport): string {
  return `${percent(report.meanAgreementWithProduction)} agreement with production on ${report.studies} ${report.studies === 1 ? 'study' : 'studies'}`;
}

/** The report's rows: the studies and agreement with production (overall and per label), then radiologists' verdicts. */
export function shadowSummary(report: ShadowReport): ShadowRow[] {
  const feedback = report.feedback;
  return [
    { label: 'Studies in shadow', value: `${report.studies}, from ${new Date(report.since).toLocaleString()} to ${new Date(report.lastRecordedAt).toLocaleString()}` },
    { label: 'Agreement with production', value: percent(report.meanAgreementWithProduction) },
    ...report.labels.map((label) => ({ label: `Agreement with production: ${label.label}`, value: percent(label.agreement) })),
    ...(feedback
      ? [
        { label: 'Studies with a radiologist’s verdict', value: String(feedback.studies) },
        { label: 'Agreement with radiologists', value: feedback.meanAgreement === null ? 'none scored' : percent(feedback.meanAgreement) },
        { label: 'Corrected (compared with the shadow)', value: `${feedback.corrected} (${feedback.correctedCompared})` },
      ]
      : [{ label: 'Radiologists’ verdicts', value: 'none yet' }]),
  ];
}
