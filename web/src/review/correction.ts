// Which case a radiologist's correction of a study is submitted to: the study's case in the model's feedback dataset
// (where giveFeedback records it), else its oldest case in any dataset. A study in no dataset has none yet: the page then
// opens its case in the model's feedback dataset (openCorrectionCase).

export interface StudyCase {
  id: string;
  currentRevision: number;
  dataset: { id: string; name: string };
}

export function caseForCorrection(cases: StudyCase[], feedbackDatasetId: string | null): StudyCase | undefined {
  return cases.find((c) => c.dataset.id === feedbackDatasetId) ?? cases[0];
}
