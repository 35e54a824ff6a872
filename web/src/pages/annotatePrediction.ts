// The model's prediction an annotator can start from: the study's newest inference result, when a model made it and it
// wrote a segmentation (docs/inference.md), read from the archive as the review page reads it.

import { graphql } from '../api/graphql';
import { loadResultObjects, type ResultObjects } from '../review/resultObjects';
import { dicomweb } from '../viewer/viewerPrefetch';

export interface Prediction {
  /** "liver-ct v2 (production)": who made it, as the page names it. */
  madeBy: string;
  completedAt: string;
  segmentation: ResultObjects['segmentations'][number];
}

export async function findPrediction(study: string): Promise<Prediction | undefined> {
  const { inferenceResults } = await graphql<{ inferenceResults: { items: {
    failure: string | null; resultUids: string[]; completedAt: string;
    modelVersion: { number: number; stage: string; model: { name: string } } | null }[] } }>(
    `query($study: String!) { inferenceResults(study: $study, first: 1) { items { failure resultUids completedAt
      modelVersion { number stage model { name } } } } }`, { study });
  const result = inferenceResults.items[0];
  if (!result || result.failure || !result.modelVersion) return undefined;
  const segmentation = (await loadResultObjects(dicomweb, study, result.resultUids)).segmentations[0];
  if (!segmentation) return undefined;
  const version = result.modelVersion;
  return { madeBy: `${version.model.name} v${version.number} (${version.stage.toLowerCase()})`, completedAt: result.completedAt, segmentation };
}
