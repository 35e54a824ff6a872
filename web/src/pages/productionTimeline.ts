// A model's production history (`productionHistory`) as a timeline: one bar per period on a time axis from the first
// promotion to now, oldest on the left, the version in production now marked. The layout is pure so the registry page
// and its tests share it.

export interface ProductionPeriod {
  version: { id: string; number: number };
  from: string;
  /** Null while the version is in production. */
  to: string | null;
  change: 'PROMOTED' | 'ROLLED_BACK';
  changedBy: string;
  byGate: boolean;
  reason: string | null;
}

export interface TimelineBar {
  period: ProductionPeriod;
  /** Where the bar starts on the axis and how wide it is, in percent. */
  left: number;
  width: number;
  current: boolean;
  /** What a screen reader reads for the bar, and its tooltip. */
  label: string;
}

/** The narrowest bar, in percent of the axis: a period of minutes among months stays visible and can be focused. */
export const narrowestBar = 3;

/**
 * Each period's share of the axis: its duration's, except that none is narrower than {@link narrowestBar} (the
 * others give up the difference in proportion). Equal shares when the periods have no duration to compare.
 */
export function barWidths(durations: number[]): number[] {
  const total = durations.reduce((sum, d) => sum + d, 0);
  if (total <= 0 || durations.length * narrowestBar >= 100) return durations.map(() => 100 / durations.length);
  const floored = new Set<number>();
  for (;;) {
    const rest = durations.reduce((sum, d, i) => (floored.has(i) ? sum : sum + d), 0);
    const free = 100 - floored.size * narrowestBar;
    const widths = durations.map((d, i) => (floored.has(i) ? narrowestBar : (d / rest) * free));
    const tooNarrow = widths.findIndex((w, i) => !floored.has(i) && w < narrowestBar);
    if (tooNarrow < 0) return widths;
    floored.add(tooNarrow);
  }
}

function describe(period: ProductionPeriod, current: boolean, format: (at: Date) => string): string {
  const when = `from ${format(new Date(period.from))} ${period.to ? `to ${format(new Date(period.to))}` : 'until now'}`;
  const who = period.byGate ? 'the evaluation gate' : period.changedBy;
  const how = period.change === 'ROLLED_BACK' ? `restored by a rollback by ${who}` : `promoted by ${who}`;
  // The gate's reason is a sentence of its own; an engineer's is their words, quoted as theirs.
  const why = !period.reason ? '' : period.byGate ? `. ${period.reason}` : `. Reason: ${period.reason}`;
  return `v${period.version.number}${current ? ' (in production now)' : ''}: ${when}, ${how}${why}`;
}

/** The bars of a history given newest first (as labeling answers it), left to right from the oldest. */
export function timelineBars(newestFirst: ProductionPeriod[], now: Date, format = (at: Date) => at.toLocaleString()): TimelineBar[] {
  const periods = [...newestFirst].reverse();
  const end = Math.max(now.getTime(), ...periods.map((p) => Date.parse(p.to ?? p.from)));
  const widths = barWidths(periods.map((p) => (p.to ? Date.parse(p.to) : end) - Date.parse(p.from)));
  let left = 0;
  return periods.map((period, index) => {
    const current = period.to === null;
    const bar = { period, left, width: widths[index], current, label: describe(period, current, format) };
    left += widths[index];
    return bar;
  });
}
