// A label over several series (a brain MRI's T1, T1c, T2 and FLAIR): which of a study's series is which of the dataset's
// input channels, and whether they lie on one grid. Training reads one voxel array that must lie on exactly the grid of
// every series the label references, in channel order (docs/training.md, "Mask format"), so a label over series on
// different grids is refused here rather than skipped there.

import { numbers, Tag, type SeriesSummary, type SortedSeries } from '../dicomweb/series';

/** Millimetres two positions or spacings may differ by: training's tolerance (MaskGeometry.ToleranceMm). */
export const toleranceMm = 0.01;

/** How far two direction cosines may differ: training's tolerance (MaskGeometry.OrientationTolerance). */
export const orientationTolerance = 1e-4;

const normalise = (text: string) => text.trim().toLowerCase();

/** The words of a Series Description, lower case ("AX T2 FLAIR" → ax, t2, flair). */
const words = (description: string) => normalise(description).split(/[^a-z0-9]+/).filter(Boolean);

/**
 * The series of each channel, by Series Description (case-insensitive): a description equal to the channel's name, else
 * the one series left whose description has the name as a word ("FLAIR" → "AX T2 FLAIR"). A channel that more than one
 * series would fit ("T1" → "AX T1 SE" and "AX T1 SE +C"), or none, is left undefined for the annotator to choose; a
 * series matches one channel at most.
 */
export function matchChannels(channels: string[], series: SeriesSummary[]): (string | undefined)[] {
  const matched: (string | undefined)[] = channels.map(() => undefined);
  const taken = new Set<string>();
  const assign = (index: number, candidates: SeriesSummary[]) => {
    const free = candidates.filter((s) => !taken.has(s.seriesInstanceUid));
    if (matched[index] !== undefined || free.length !== 1) return false;
    matched[index] = free[0].seriesInstanceUid;
    taken.add(free[0].seriesInstanceUid);
    return true;
  };
  channels.forEach((channel, index) => assign(index, series.filter((s) => normalise(s.description) === normalise(channel))));
  // Each series a channel takes can leave another channel with one candidate ("T2" once "AX T2 FLAIR" is FLAIR's).
  for (let changed = true; changed;) {
    changed = false;
    channels.forEach((channel, index) => {
      if (assign(index, series.filter((s) => words(s.description).includes(normalise(channel))))) changed = true;
    });
  }
  return matched;
}

/** What is wrong with an assignment of series to channels (a channel without a series, a series given twice), or undefined. */
export function assignmentProblem(channels: string[], assignment: (string | undefined)[]): string | undefined {
  const missing = channels.filter((_, index) => !assignment[index]);
  if (missing.length > 0) return `Choose the series of ${missing.join(', ')}.`;
  const twice = channels.filter((_, index) => assignment.indexOf(assignment[index]) !== index);
  if (twice.length > 0) return `${twice.join(', ')} ${twice.length > 1 ? 'are' : 'is'} given a series another channel has; each channel is its own series.`;
  return undefined;
}

export interface ChannelSeries {
  channel: string;
  /** The series' description, to name it in a message. */
  description: string;
  series: SortedSeries;
}

/**
 * Whether every channel's series lies on the first one's grid: Frame of Reference, rows and columns, slice count and
 * spacing, orientation and each slice's Image Position (Patient). Undefined when they do; otherwise a message naming
 * each series that differs and how.
 */
export function gridMismatch(channels: ChannelSeries[]): string | undefined {
  const [first, ...others] = channels;
  if (!first) return undefined;
  const name = (item: ChannelSeries) => `${item.channel} (series "${item.description || item.series.seriesInstanceUid}")`;
  const problems = others.flatMap((other) => {
    const differences = differencesOf(first.series, other.series);
    return differences.length > 0 ? [`${name(other)} does not lie on the grid of ${name(first)}: ${differences.join('; ')}.`] : [];
  });
  return problems.length > 0 ? `${problems.join(' ')} A label over several series needs them on one grid.` : undefined;
}

function differencesOf(reference: SortedSeries, other: SortedSeries): string[] {
  const a = reference.grid;
  const b = other.grid;
  const differences: string[] = [];
  if (a.frameOfReferenceUid !== b.frameOfReferenceUid) {
    differences.push(`Frame of Reference ${b.frameOfReferenceUid || 'none'} vs ${a.frameOfReferenceUid || 'none'}`);
  }
  if (a.rows !== b.rows || a.columns !== b.columns) differences.push(`${b.rows}×${b.columns} pixels vs ${a.rows}×${a.columns}`);
  if (a.slices !== b.slices) differences.push(`${b.slices} slices vs ${a.slices}`);
  if (!near(a.spacing, b.spacing, toleranceMm)) differences.push(`spacing ${b.spacing.join('×')} mm vs ${a.spacing.join('×')} mm`);
  if (!near(a.orientation, b.orientation, orientationTolerance)) {
    differences.push(`orientation ${b.orientation.join('\\')} vs ${a.orientation.join('\\')}`);
  }
  if (a.slices === b.slices) {
    const slice = reference.instances.findIndex((instance, index) =>
      !near(numbers(instance, Tag.ImagePositionPatient), numbers(other.instances[index], Tag.ImagePositionPatient), toleranceMm));
    if (slice >= 0) differences.push(`slice ${slice + 1} lies at ${positionOf(other, slice)} vs ${positionOf(reference, slice)}`);
  }
  return differences;
}

const positionOf = (series: SortedSeries, slice: number) => numbers(series.instances[slice], Tag.ImagePositionPatient).join('\\') || 'no position';

function near(a: number[], b: number[], tolerance: number): boolean {
  return a.length === b.length && a.every((value, index) => Math.abs(value - b[index]) <= tolerance);
}
