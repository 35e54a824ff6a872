// The objects an inference result wrote (its resultUids), found in the study's SEG and SR series of the archive: each
// segmentation with its Pixel Data (a BulkDataURI in WADO-RS metadata) and each report's metadata.

import { listSeries, Tag, text, values, type DicomJson } from '../dicomweb/series';
import { SegTag } from './segmentation';

export interface ResultObjects {
  segmentations: { metadata: DicomJson; pixelData: Uint8Array; referencedSeries: string | undefined; description: string }[];
  reports: DicomJson[];
}

const ReferencedSeriesSequence = '00081115';

async function metadataOf(base: string, study: string, series: string): Promise<DicomJson[]> {
  const response = await fetch(`${base}/studies/${study}/series/${series}/metadata`, { credentials: 'same-origin', headers: { Accept: 'application/dicom+json' } });
  if (!response.ok) throw new Error(`The archive answered ${response.status} for the metadata of series ${series}: ${await response.text()}`);
  return (await response.json()) as DicomJson[];
}

/** A value given by BulkDataURI, asked for bare (application/octet-stream) on this page's origin (the gateway). */
async function bulkData(uri: string): Promise<Uint8Array> {
  const url = new URL(uri, location.origin);
  const response = await fetch(location.origin + url.pathname + url.search, { credentials: 'same-origin', headers: { Accept: 'application/octet-stream' } });
  if (!response.ok) throw new Error(`The archive answered ${response.status} for ${url.pathname}: ${await response.text()}`);
  return new Uint8Array(await response.arrayBuffer());
}

export async function loadResultObjects(base: string, study: string, resultUids: string[]): Promise<ResultObjects> {
  const wanted = new Set(resultUids);
  const found: ResultObjects = { segmentations: [], reports: [] };
  for (const series of (await listSeries(base, study)).filter((s) => s.modality === 'SEG' || s.modality === 'SR')) {
    for (const instance of (await metadataOf(base, study, series.seriesInstanceUid)).filter((i) => wanted.has(text(i, Tag.SOPInstanceUID)))) {
      if (series.modality === 'SR') {
        found.reports.push(instance);
        continue;
      }
      const pixels = instance[SegTag.PixelData];
      const pixelData = pixels?.BulkDataURI
        ? await bulkData(pixels.BulkDataURI)
        : Uint8Array.from(atob(String((pixels as { InlineBinary?: string } | undefined)?.InlineBinary ?? '')), (c) => c.charCodeAt(0));
      const referenced = (values(instance, ReferencedSeriesSequence) as DicomJson[])[0];
      found.segmentations.push({
        metadata: instance, pixelData, referencedSeries: referenced ? text(referenced, Tag.SeriesInstanceUID) : undefined,
        description: text(instance, Tag.SeriesDescription) || series.description || '',
      });
    }
  }
  return found;
}
