import { describe, expect, it } from 'vitest';
import type { SeriesSummary } from '../src/dicomweb/series';
import { firstRequests, layoutFor } from '../src/viewer/layouts';

const series = (modality: string, number: number): SeriesSummary =>
  ({ seriesInstanceUid: `1.2.${number}`, modality, description: `${modality} ${number}`, number, instances: 32 });
const brain = [series('MR', 1), series('MR', 2), series('MR', 3), series('MR', 4)];

describe('the viewer layout', () => {
  it('puts a study of several MR series side by side', () => {
    expect(layoutFor(brain, null, false)).toBe('side-by-side');
  });

  it('opens a CT series as a stack', () => {
    expect(layoutFor([series('CT', 2)], null, false)).toBe('stack');
  });

  it('opens the series an address names as a stack', () => {
    expect(layoutFor(brain, null, true)).toBe('stack');
  });

  it('keeps the layout an address asks for', () => {
    expect(layoutFor([series('CT', 2)], 'mpr', true)).toBe('mpr');
  });

  it('does not put a single series side by side', () => {
    expect(layoutFor([series('CT', 2)], 'side-by-side', false)).toBe('stack');
  });
});

describe("the viewer's first requests", () => {
  const first = (address: string) => firstRequests(new URLSearchParams(address));

  it('ask for the metadata of the series an address opens as a stack', () => {
    expect(first('study=1.2&series=1.2.3')).toEqual({ study: '1.2', stackSeries: '1.2.3' });
    expect(first('study=1.2&series=1.2.3&layout=stack')).toEqual({ study: '1.2', stackSeries: '1.2.3' });
  });

  it('list only the series for another layout or no named series', () => {
    expect(first('study=1.2&series=1.2.3&layout=mpr')).toEqual({ study: '1.2' });
    expect(first('study=1.2')).toEqual({ study: '1.2' });
  });

  it('are none without a study', () => {
    expect(first('series=1.2.3')).toBeUndefined();
  });
});
