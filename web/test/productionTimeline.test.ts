import { describe, expect, it } from 'vitest';
import { barWidths, narrowestBar, timelineBars, type ProductionPeriod } from '../src/pages/productionTimeline';

const period = (number: number, from: string, to: string | null, overrides: Partial<ProductionPeriod> = {}): ProductionPeriod => ({
  version: { id: `v${number}`, number },
  from,
  to,
  change: 'PROMOTED',
  changedBy: 'alice',
  byGate: false,
  reason: null,
  ...overrides,
});

const iso = (at: Date) => at.toISOString();

// Newest first, as labeling answers: v1 for a day, v2 for a day, then v1 again (rolled back) until "now", two days later.
const history = [
  period(1, '2026-12-03T00:00:00.000Z', null, { change: 'ROLLED_BACK', changedBy: 'carol' }),
  period(2, '2026-12-02T00:00:00.000Z', '2026-12-03T00:00:00.000Z', { changedBy: 'bob' }),
  period(1, '2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z'),
];
const now = new Date('2026-12-05T00:00:00.000Z');

describe('the production timeline', () => {
  it('draws the oldest period on the left and the current one on the right', () => {
    const bars = timelineBars(history, now, iso);

    expect(bars.map((bar) => [bar.period.version.number, bar.current])).toEqual([[1, false], [2, false], [1, true]]);
  });

  it('gives each bar its share of the time from the first promotion to now', () => {
    const bars = timelineBars(history, now, iso);

    expect(bars.map((bar) => bar.width)).toEqual([25, 25, 50]);
  });

  it('starts each bar where the one before it ends', () => {
    const bars = timelineBars(history, now, iso);

    expect(bars.map((bar) => bar.left)).toEqual([0, 25, 50]);
  });

  it('labels a bar with its version, its times and who changed production', () => {
    const [first, , current] = timelineBars(history, now, iso);

    expect(first.label).toBe('v1: from 2026-12-01T00:00:00.000Z to 2026-12-02T00:00:00.000Z, promoted by alice');
    expect(current.label).toBe('v1 (in production now): from 2026-12-03T00:00:00.000Z until now, restored by a rollback by carol');
  });

  it('names the evaluation gate and its reason for a gate promotion', () => {
    const [bar] = timelineBars([period(3, '2026-12-01T00:00:00.000Z', null,
      { byGate: true, changedBy: 'evaluation-gate', reason: 'Passed the evaluation gate: dice 0.9 on the test set (8 cases).' })], now, iso);

    expect(bar.label).toBe('v3 (in production now): from 2026-12-01T00:00:00.000Z until now, promoted by the evaluation gate. ' +
      'Passed the evaluation gate: dice 0.9 on the test set (8 cases).');
  });

  it('shows the reason an engineer gave for a rollback', () => {
    const [, , current] = timelineBars([{ ...history[0], reason: 'v2 misses small lesions' }, ...history.slice(1)], now, iso);

    expect(current.label).toBe('v1 (in production now): from 2026-12-03T00:00:00.000Z until now, restored by a rollback by carol. ' +
      'Reason: v2 misses small lesions');
  });

  it('keeps a period of a millisecond among days wide enough to see', () => {
    const widths = barWidths([1, 86_400_000, 86_400_000]);

    expect(widths[0]).toBe(narrowestBar);
    expect(widths.reduce((sum, w) => sum + w, 0)).toBeCloseTo(100, 9);
    expect(widths[1]).toBeCloseTo(widths[2], 9);
  });

  it('shares the axis equally among periods with no duration to compare', () => {
    expect(barWidths([0, 0])).toEqual([50, 50]);
  });

  it('draws nothing for a model never in production', () => {
    expect(timelineBars([], now, iso)).toEqual([]);
  });
});
