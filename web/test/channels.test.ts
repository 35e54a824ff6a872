import { describe, expect, it } from 'vitest';
import { sortSeries, Tag, type DicomJson, type SeriesSummary } from '../src/dicomweb/series';
import { assignmentProblem, gridMismatch, matchChannels, type ChannelSeries } from '../src/labels/channels';

const summary = (uid: string, description: string): SeriesSummary => ({ seriesInstanceUid: uid, modality: 'MR', description, number: 1, instances: 3 });

// The synthetic brain MRI's series (./cl2 synth --task brain-mri).
const brain = [summary('t1', 'AX T1 SE'), summary('t1c', 'AX T1 SE +C'), summary('t2', 'AX T2 FSE'), summary('flair', 'AX T2 FLAIR')];

describe('matching series to channels', () => {
  it('matches a Series Description equal to the channel whatever its case', () => {
    const series = [summary('a', 'flair'), summary('b', 'T1C'), summary('c', 't1'), summary('d', 'T2')];

    expect(matchChannels(['T1', 'T1c', 'T2', 'FLAIR'], series)).toEqual(['c', 'b', 'd', 'a']);
  });

  it('matches the one series whose description has the channel as a word, and the series left once that one is taken', () => {
    // FLAIR is only "AX T2 FLAIR"; T2 is then only "AX T2 FSE"; T1 fits two series and T1c none: the annotator chooses.
    expect(matchChannels(['T1', 'T1c', 'T2', 'FLAIR'], brain)).toEqual([undefined, undefined, 't2', 'flair']);
  });

  it('prefers an equal description to a word match', () => {
    expect(matchChannels(['T2'], [summary('a', 'AX T2 FSE'), summary('b', 't2')])).toEqual(['b']);
  });

  it('gives a series to one channel at most', () => {
    expect(matchChannels(['CT', 'ct'], [summary('a', 'CT')])).toEqual(['a', undefined]);
  });
});

describe('an assignment of series to channels', () => {
  it('names the channels without a series', () => {
    expect(assignmentProblem(['T1', 'T1c', 'T2'], [undefined, 'b', undefined])).toBe('Choose the series of T1, T2.');
  });

  it('names a channel given another channel\'s series', () => {
    expect(assignmentProblem(['T1', 'T1c'], ['a', 'a'])).toMatch(/^T1c is given a series another channel has/);
  });

  it('is complete with one series per channel', () => {
    expect(assignmentProblem(['T1', 'T1c'], ['a', 'b'])).toBeUndefined();
  });
});

function series(uid: string, options: { z?: number[]; rows?: number; frame?: string; x?: number } = {}): SortedSeries {
  const z = options.z ?? [0, 5, 10];
  return sortSeries(z.map((position, index): DicomJson => ({
    [Tag.SeriesInstanceUID]: { vr: 'UI', Value: [uid] },
    [Tag.SOPInstanceUID]: { vr: 'UI', Value: [`${uid}.${index}`] },
    [Tag.ImagePositionPatient]: { vr: 'DS', Value: [options.x ?? -100, -120, position] },
    [Tag.ImageOrientationPatient]: { vr: 'DS', Value: [1, 0, 0, 0, 1, 0] },
    [Tag.PixelSpacing]: { vr: 'DS', Value: [0.9, 0.9] },
    [Tag.Rows]: { vr: 'US', Value: [options.rows ?? 32] },
    [Tag.Columns]: { vr: 'US', Value: [32] },
    [Tag.FrameOfReferenceUID]: { vr: 'UI', Value: [options.frame ?? '1.9'] },
  })));
}
type SortedSeries = ReturnType<typeof sortSeries>;

const channel = (name: string, description: string, sorted: SortedSeries): ChannelSeries => ({ channel: name, description, series: sorted });

describe('the grid of a label over several series', () => {
  it('is one grid when every series has the first one\'s frame, size and slice positions', () => {
    expect(gridMismatch([channel('T1', 'AX T1 SE', series('a')), channel('T2', 'AX T2 FSE', series('b'))])).toBeUndefined();
  });

  it('names the series on another Frame of Reference', () => {
    const mismatch = gridMismatch([channel('T1', 'AX T1 SE', series('a')), channel('T2', 'AX T2 FSE', series('b')),
      channel('FLAIR', 'AX T2 FLAIR', series('c', { frame: '1.8' }))]);

    expect(mismatch).toMatch(/^FLAIR \(series "AX T2 FLAIR"\) does not lie on the grid of T1 \(series "AX T1 SE"\): Frame of Reference 1\.8 vs 1\.9\./);
    expect(mismatch).not.toContain('AX T2 FSE');
  });

  it('names the series with other rows, another slice count or another spacing', () => {
    expect(gridMismatch([channel('T1', 'T1', series('a')), channel('T2', 'T2', series('b', { rows: 24 }))])).toContain('24×32 pixels vs 32×32');
    expect(gridMismatch([channel('T1', 'T1', series('a')), channel('T2', 'T2', series('b', { z: [0, 5] }))])).toContain('2 slices vs 3');
    expect(gridMismatch([channel('T1', 'T1', series('a')), channel('T2', 'T2', series('b', { z: [0, 4, 8] }))])).toContain('spacing 4×0.9×0.9 mm vs 5×0.9×0.9 mm');
  });

  it('names the first slice that lies elsewhere, beyond 0.01 mm', () => {
    const shifted = gridMismatch([channel('T1', 'T1', series('a')), channel('T1c', 'T1 +C', series('b', { x: -99.5 }))]);

    expect(shifted).toContain('T1c (series "T1 +C")');
    expect(shifted).toContain('slice 1 lies at -99.5\\-120\\0 vs -100\\-120\\0');
    expect(gridMismatch([channel('T1', 'T1', series('a')), channel('T1c', 'T1 +C', series('b', { x: -100.005 }))])).toBeUndefined();
  });
});
