// The viewer's first requests to the archive, started by main.ts as soon as the app's first script runs: before the
// session is known and while the viewer's own code (Cornerstone3D) is still being loaded, both of which they would
// otherwise wait for. For a stack, the shown slice's frame follows the metadata, for the first image's preview
// (firstImagePreview.ts). Without a session the archive refuses them (401) and the page asks the user to sign in as before.
// No Cornerstone here, so that this stays in the app's small first script.

import { listSeries, loadSeries, type SeriesSummary, type SortedSeries } from '../dicomweb/series';
import { fetchPreviewFrame, type PreviewFrame } from './firstImagePreview';
import { firstRequests } from './layouts';
import { shownSlice } from './loadOrder';

export const dicomweb = `${location.origin}/dicomweb`;

export interface ViewerRequests {
  study: string;
  series: Promise<SeriesSummary[]>;
  /** The series to open as a stack: its metadata and the shown slice's frame for the first image's preview. */
  stack?: { series: string; metadata: Promise<SortedSeries>; frame: Promise<PreviewFrame | undefined> };
}

let started: ViewerRequests | undefined;

/** Starts the viewer's first requests for this address (failures are reported by the page that uses them). */
export function prefetchViewer(query: URLSearchParams): void {
  const first = firstRequests(query);
  if (!first) return;
  started = { study: first.study, series: listSeries(dicomweb, first.study) };
  started.series.catch(() => undefined);
  if (first.stackSeries) {
    const metadata = loadSeries(dicomweb, first.study, first.stackSeries);
    metadata.catch(() => undefined);
    const frame = metadata.then((series) => fetchPreviewFrame(dicomweb, series.instances[shownSlice(series.instances.length)]), () => undefined);
    started.stack = { series: first.stackSeries, metadata, frame };
  }
}

/** The requests started for `study`, once: a later showing of the page asks the archive again. */
export function takePrefetched(study: string): ViewerRequests | undefined {
  const taken = started?.study === study ? started : undefined;
  started = undefined;
  return taken;
}
