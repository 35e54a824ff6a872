import { describe, expect, it } from 'vitest';
import { cameraOn, relativeCamera, sameCamera, windowFollowers } from '../src/viewer/linkedViews';

describe('zoom and pan linked between viewports', () => {
  it('carries the zoom as it is, relative to each viewport\'s fitted image', () => {
    const relative = relativeCamera(2.5, [0, 0], { width: 400, height: 300 });

    expect(cameraOn(relative, { width: 200, height: 600 }).zoom).toBe(2.5);
  });

  it('shifts a viewport of another size by the same share of its canvas', () => {
    const relative = relativeCamera(2, [100, -30], { width: 400, height: 300 });

    expect(cameraOn(relative, { width: 200, height: 600 }).pan).toEqual([50, -60]);
    expect(cameraOn(relative, { width: 400, height: 300 }).pan).toEqual([100, -30]);
  });

  it('gives no shift for a canvas not laid out yet', () => {
    expect(relativeCamera(1.5, [10, 10], { width: 0, height: 0 }).pan).toEqual([0, 0]);
  });

  it('leaves alone a viewport that shows the camera already', () => {
    expect(sameCamera({ zoom: 2, pan: [50, -60] }, { zoom: 2.0001, pan: [50.001, -60] })).toBe(true);
    expect(sameCamera({ zoom: 2, pan: [50, -60] }, { zoom: 2.1, pan: [50, -60] })).toBe(false);
    expect(sameCamera({ zoom: 2, pan: [50, -60] }, { zoom: 2, pan: [51, -60] })).toBe(false);
  });
});

describe('window width/level linked between viewports', () => {
  const t1 = { name: 'T1', modality: 'MR' };
  const flair = { name: 'FLAIR', modality: 'MR' };
  const ct = { name: 'CT', modality: 'CT' };
  const unknown = { name: '?', modality: '' };

  it('reaches only the viewports of the leader\'s modality', () => {
    expect(windowFollowers(t1, [t1, flair, ct, unknown])).toEqual([flair]);
    expect(windowFollowers(ct, [t1, flair, ct])).toEqual([]);
  });

  it('reaches nothing from a series of unknown modality', () => {
    expect(windowFollowers(unknown, [t1, { name: '??', modality: '' }])).toEqual([]);
  });
});
