import { describe, expect, it } from 'vitest';
import { frameImageId, imageSeries, sortSeries, Tag, type DicomJson } from '../src/dicomweb/series';

function instance(sop: string, z: number, orientation = [1, 0, 0, 0, 1, 0]): DicomJson {
  return {
    [Tag.StudyInstanceUID]: { vr: 'UI', Value: ['1.2'] },
    [Tag.SeriesInstanceUID]: { vr: 'UI', Value: ['1.2.3'] },
    [Tag.SOPInstanceUID]: { vr: 'UI', Value: [sop] },
    [Tag.Modality]: { vr: 'CS', Value: ['CT'] },
    [Tag.ImagePositionPatient]: { vr: 'DS', Value: [-100, -120, z] },
    [Tag.ImageOrientationPatient]: { vr: 'DS', Value: orientation },
    [Tag.PixelSpacing]: { vr: 'DS', Value: [0.7, 0.8] },
    [Tag.Rows]: { vr: 'US', Value: [64] },
    [Tag.Columns]: { vr: 'US', Value: [48] },
    [Tag.FrameOfReferenceUID]: { vr: 'UI', Value: ['1.9'] },
  };
}

describe('series', () => {
  it('puts the lowest position along the normal first and takes its position as the origin', () => {
    const series = sortSeries([instance('c', 10), instance('a', 0), instance('b', 5)]);

    expect(series.instances.map((item) => item[Tag.SOPInstanceUID].Value![0])).toEqual(['a', 'b', 'c']);
    expect(series.grid).toEqual({
      rows: 64, columns: 48, slices: 3, spacing: [5, 0.7, 0.8], origin: [-100, -120, 0],
      orientation: [1, 0, 0, 0, 1, 0], frameOfReferenceUid: '1.9',
    });
  });

  it('sorts along the normal of a tilted orientation, not along z', () => {
    // Rows along x, columns along z: the normal is -y, so a larger y is a lower position.
    const tilted = [1, 0, 0, 0, 0, 1];
    const items = [instance('low-y', 0, tilted), instance('high-y', 0, tilted)];
    items[0][Tag.ImagePositionPatient].Value = [0, 0, 0];
    items[1][Tag.ImagePositionPatient].Value = [0, 4, 0];

    expect(sortSeries(items).instances.map((item) => item[Tag.SOPInstanceUID].Value![0])).toEqual(['high-y', 'low-y']);
  });

  it('names frame 1 of an instance by its WADO-RS address', () => {
    expect(frameImageId('http://h/dicomweb', instance('9', 0))).toBe('wadors:http://h/dicomweb/studies/1.2/series/1.2.3/instances/9/frames/1');
  });

  it('refuses a series without instances', () => {
    expect(() => sortSeries([])).toThrow(/no instances/);
  });

  it('offers image series for labelling, not the results written over them', () => {
    const summary = (modality: string) => ({ seriesInstanceUid: modality, modality, description: '', number: 1, instances: 1 });
    expect(imageSeries(['CT', 'SEG', 'SR', 'MR'].map(summary)).map((s) => s.modality)).toEqual(['CT', 'MR']);
  });
});
