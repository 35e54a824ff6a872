// Cornerstone3D set up once per page: rendering (WebGL2) and the DICOMweb loader (decoding in module workers; the browser
// sends the session cookie on every request, so no token is handled here). The tools come later (toolsLoader.ts).

import { init as coreInit } from '@cornerstonejs/core';
import dicomImageLoader from '@cornerstonejs/dicom-image-loader';
import { frameImageId, type SortedSeries } from '../dicomweb/series';

let started: Promise<void> | undefined;

export function startCornerstone(): Promise<void> {
  started ??= (async () => {
    await coreInit();
    dicomImageLoader.init({ maxWebWorkers: Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 4)) });
  })();
  return started;
}

/** Hands the loader a series' WADO-RS metadata, so it asks the archive only for the frames. */
export function addMetadata(imageId: string, instance: unknown): void {
  dicomImageLoader.wadors.metaDataManager.add(imageId, instance as Parameters<typeof dicomImageLoader.wadors.metaDataManager.add>[1]);
}

/** The loader's image ids of a series (frame 1 of each instance, slice 0 first), each with its metadata handed over. */
export function imageIdsOf(base: string, series: SortedSeries): string[] {
  const imageIds = series.instances.map((instance) => frameImageId(base, instance));
  series.instances.forEach((instance, index) => addMetadata(imageIds[index], instance));
  return imageIds;
}
