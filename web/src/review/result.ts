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

/** The study as inference received it (`receivedStudies(study:)`): what tells "still running" from "never sent". */
export interface Received {
  receivedAt: string;
  instanceCount: number;
  forwarding: { isStuck: boolean; reason: string } | null;
}

/** What the page says when a study has no usable AI result, and why. */
export function noResultExplanation(result: Result | undefined, received: Received[] = []): string | null {
  if (!result) {
    const study = received[0];
    if (!study) {
      return 'No AI result for this study: inference never received it. Send the study to the DICOM listener (AE CL2), from the PACS or the scanner.';
    }
    const got = `inference received it (${study.instanceCount} instance${study.instanceCount === 1 ? '' : 's'}, ${new Date(study.receivedAt).toLocaleString()})`;
    return study.forwarding?.isStuck
      ? `No AI result for this study: ${got} but could not hand it to labeling: ${study.forwarding.reason} An admin retries it once the cause is fixed (docs/operations.md).`
      : `No AI result for this study yet: ${got} and is still processing it (it waits until the series are complete, then runs the model). Reload in a while.`;
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
