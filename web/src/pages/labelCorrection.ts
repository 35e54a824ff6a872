// "Correct" on the label review page: the radiologist edits the submitted labelmap with the annotate page's labelling
// toolbar (labelTools.ts), over every series it references, or ticks a classification's labels otherwise, then "Save
// correction and approve" saves it as a new revision of the case's label on top of the reviewed one (submitLabel, whose
// baseRevision check refuses it when the label changed meanwhile) and approves that revision (reviewLabel). The
// annotator's revision stays in the history; the reviewer's correction is the label training reads, as a reviewer's fix
// is in MONAI Label or CVAT.

import { graphql, uploadBlob } from '../api/graphql';
import type { RevisionInfo } from '../labels/labelReview';
import { packClassification } from '../labels/datasetLabels';
import { headerFor, packMask } from '../labels/labelVolume';
import { labelTools, type LabelTools } from '../viewer/labelTools';
import type { LabelViews } from './annotateChannels';

export interface SavedCorrection {
  id: string;
  revision: number;
  status: string;
}

/** Saving worked and approving did not: the page says which revision holds the correction. */
export class CorrectionNotApproved extends Error {
  constructor(readonly saved: number, readonly reason: unknown) {
    super(`Revision ${saved} was saved but not approved.`);
  }
}

/** The labelling toolbar on the shown labelmap, the brush chosen; `save` is what its primary button and Ctrl+S do. */
export function startCorrection(views: LabelViews, names: Record<string, string>, save: () => void): LabelTools {
  const tools = labelTools(names, 'Save correction and approve', () => views.labelmap, save);
  tools.setup(views.labelmap);
  tools.choose('brush');
  return tools;
}

/** A corrected label in the format training reads (docs/training.md), as its kind says. */
export interface Correction {
  kind: 'SEGMENTATION' | 'CLASSIFICATION';
  blob: Uint8Array;
}

export const segmentationCorrection = (views: LabelViews, names: Record<string, string>): Correction =>
  ({ kind: 'SEGMENTATION', blob: packMask(headerFor(views.grid, views.seriesUids, names), views.labelmap.voxels()) });

export const classificationCorrection = (seriesUids: string[], answers: Record<string, boolean>): Correction =>
  ({ kind: 'CLASSIFICATION', blob: packClassification(seriesUids, answers) });

/** Saves the correction as the revision after `reviewed` and approves it with `comment`; the approved revision. */
export async function saveCorrectionAndApprove(caseId: string, reviewed: RevisionInfo, correction: Correction,
  comment: string | null): Promise<SavedCorrection> {
  const digest = await uploadBlob(correction.blob);
  const { submitLabel } = await graphql<{ submitLabel: { id: string; revision: number } }>(
    'mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id revision } }',
    { input: { caseId, baseRevision: reviewed.revision ?? 0, kind: correction.kind, blobDigest: digest } });
  try {
    const { reviewLabel } = await graphql<{ reviewLabel: { id: string; status: string } }>(
      'mutation($input: ReviewLabelInput!) { reviewLabel(input: $input) { id status } }',
      { input: { caseId, labelRevisionId: submitLabel.id, decision: 'APPROVE', comment } });
    return { id: reviewLabel.id, revision: submitLabel.revision, status: reviewLabel.status };
  } catch (error) {
    throw new CorrectionNotApproved(submitLabel.revision, error);
  }
}
