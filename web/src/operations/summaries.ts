// How the operations page words what inference and the archive did: pure functions over GraphQL answers.

export interface ImportProgress {
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  studyInstanceUids: string[];
  studiesImported: number;
  instancesFetched: number;
  instancesSkipped: number;
  failureReason: string | null;
  /** The labeling replica running it, while one holds its lease. */
  holder?: string | null;
}

/** "2 of 5 studies, 300 instances (12 already there)", which replica runs it, and why it failed if it did. */
export function importProgress(item: ImportProgress): string {
  const skipped = item.instancesSkipped > 0 ? ` (${item.instancesSkipped} already there)` : '';
  const progress = `${item.studiesImported} of ${item.studyInstanceUids.length} studies, ${item.instancesFetched} instances${skipped}`;
  if (item.status === 'RUNNING' && item.holder !== undefined) {
    return item.holder ? `${progress}; run by ${item.holder}` : `${progress}; waiting for a replica to take it over`;
  }
  return item.status === 'FAILED' && item.failureReason ? `${progress}; failed: ${item.failureReason}` : progress;
}

export interface RoutedResult {
  failure: string | null;
  failureReason: string | null;
  routing: { ruleName: string | null; explanation: string[] } | null;
  modelVersion: { number: number; model: { name: string } } | null;
}

/** Which rule routed the study to which model, or why nothing ran. */
export function routingSummary(result: RoutedResult): string {
  if (result.failure === 'NO_RULE_MATCHED') return 'no rule matched';
  const rule = result.routing?.ruleName ? `rule "${result.routing.ruleName}"` : 'no rule recorded';
  const model = result.modelVersion ? ` → ${result.modelVersion.model.name} v${result.modelVersion.number}` : '';
  const failure = result.failure ? `; failed (${result.failure.toLowerCase().replace(/_/g, ' ')}): ${result.failureReason ?? ''}` : '';
  return `${rule}${model}${failure}`;
}
