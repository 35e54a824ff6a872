// The viewer's first requests to the archive, started by main.ts as soon as the app's first script runs: before the
// session is known and while the viewer's own code (Cornerstone3D) is still being loaded, both of which they would
// otherwise wait for. Without a session the archive refuses them (401) and the page asks the user to sign in as before.
// No Cornerstone here, so that this stays in the app's small first script.

import { listSeries, loadSeries, type SeriesSummary, type SortedSeries } from '../dicomweb/series';
import { firstRequests } from './layouts';

export const dicomweb = `${location.origin}/dicomweb`;

export interface ViewerRequests {
  study: string;
  series: Promise<SeriesSummary[]>;
  stack?: { series: string; metadata: Promise<SortedSeries> };
}

let started: ViewerRequests | undefined;

/** Starts the viewer's first requests for this address (failures are reported by the page that uses them). */
export function prefetchViewer(query: URLSearchParams): void {
  const first = firstRequests(query);
  if (!first) return;
  started = { study: first.study, series: listSeries(dicomweb, first.study) };
  started.series.catch(() => undefined);
  if (first.stackSeries) {
    started.stack = { series: first.stackSeries, metadata: loadSeries(dicomweb, first.study, first.stackSeries) };
    started.stack.metadata.catch(() => undefined);
  }
}

/** The requests started for `study`, once: a later showing of the page asks the archive again. */
export function takePrefetched(study: string): ViewerRequests | undefined {
  const taken = started?.study === study ? started : undefined;
  started = undefined;
  return taken;
}
