// An inference result as the review page shows it, and what it says when there is none to review.

export interface Result {
  id: string;
  pipeline: string;
  failure: string | null;
  failureReason: string | null;
  completedAt: string;
  resultUids: string[];
  routing: { ruleName: string | null; explanation: string[] } | null;
  modelVersion: { id: string; number: number; stage: string; metrics: { name: string; value: number }[]; model: { name: string } } | null;
  feedback: { verdict: string; radiologist: string; comment: string | null; givenAt: string }[];
}

/** What the page says when a study has no usable AI result, and why. */
export function noResultExplanation(result: Result | undefined): string | null {
  if (!result) {
    return 'No AI result for this study: inference has not recorded one (the study was not received, or is still being processed).';
  }
  if (result.failure) {
    const why = result.failure === 'NO_RULE_MATCHED'
      ? 'no routing rule matched it'
      : result.failure === 'NO_PRODUCTION_VERSION' ? 'its model has no production version' : result.failure.toLowerCase().replace(/_/g, ' ');
    return `No AI result for this study: ${why}.${result.failureReason ? ` ${result.failureReason}` : ''}`;
  }
  if (!result.modelVersion) {
    return `No AI result for this study: it went through ${result.pipeline}, which runs no model.`;
  }
  return null;
}
