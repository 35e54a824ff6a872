// Which case a radiologist's correction of a study is submitted to: the study's case in the model's feedback dataset
// (where giveFeedback records it), else its oldest case in any dataset. A study in no dataset has none yet.

export interface StudyCase {
  id: string;
  currentRevision: number;
  dataset: { id: string; name: string };
}

export function caseForCorrection(cases: StudyCase[], feedbackDatasetId: string | null): StudyCase | undefined {
  return cases.find((c) => c.dataset.id === feedbackDatasetId) ?? cases[0];
}

/** What the page says when the study is a case of no dataset, so a correction has nowhere to go yet. */
export const noCaseToCorrect =
  'This study is not a case of any dataset yet, so a corrected label has nowhere to go. Reject the result with a reason first: ' +
  "that makes the study a case of the model's feedback dataset; then correct it here.";
