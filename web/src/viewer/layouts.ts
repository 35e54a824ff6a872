// The study viewer's layouts (pages/viewer.ts) and which one a study opens in.

import type { SeriesSummary } from '../dicomweb/series';

export const layouts = [
  { key: 'stack', label: 'Stack' },
  { key: 'mpr', label: 'MPR' },
  { key: 'side-by-side', label: 'Side by side' },
] as const;

export type Layout = (typeof layouts)[number]['key'];

/** At most this many series side by side (a 2×2 grid). */
export const sideBySideMaximum = 4;

/** The layout a study opens in: the one asked for, else side by side for several MR series, else a stack. */
export function layoutFor(series: SeriesSummary[], asked: string | null, seriesAsked: boolean): Layout {
  const known = layouts.find((layout) => layout.key === asked);
  if (known && (known.key !== 'side-by-side' || series.length > 1)) return known.key;
  const mr = series.filter((s) => s.modality === 'MR');
  return !seriesAsked && mr.length > 1 ? 'side-by-side' : 'stack';
}

/** What the viewer at an address asks for first: the study's series, and the metadata of the series it opens as a stack. */
export interface FirstRequests {
  study: string;
  /** The series named in the address, when it opens as a stack (a PACS's or the benchmark's link). */
  stackSeries?: string;
}

/** The requests `/viewer?{query}` starts with; none without a study. */
export function firstRequests(query: URLSearchParams): FirstRequests | undefined {
  const study = query.get('study');
  if (!study) return undefined;
  const named = query.get('series');
  return named && (query.get('layout') ?? 'stack') === 'stack' ? { study, stackSeries: named } : { study };
}
