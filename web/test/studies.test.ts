import { describe, expect, it } from 'vitest';
import { isoDate, noStudyFilter, personName, studiesByUidQuery, studySearchQuery, studySummaries } from '../src/dicomweb/studies';

const ctStudy = {
  '0020000D': { vr: 'UI', Value: ['1.2.3.4'] },
  '00100020': { vr: 'LO', Value: ['SYN-LIVER-CT-42-000'] },
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'SYNTHETIC^LIVER_CT^000' }] },
  '00080020': { vr: 'DA', Value: ['20260115'] },
  '00081030': { vr: 'LO', Value: ['CT ABDOMEN'] },
  '00080061': { vr: 'CS', Value: ['CT\\SEG'] },
  '00201206': { vr: 'IS', Value: [2] },
  '00201208': { vr: 'IS', Value: [33] },
};

describe('the archive\'s studies', () => {
  it('reads QIDO-RS study JSON into rows with readable names, dates and modalities', () => {
    expect(studySummaries([ctStudy])).toEqual([{
      studyInstanceUid: '1.2.3.4', patientId: 'SYN-LIVER-CT-42-000', patientName: 'SYNTHETIC LIVER_CT 000', studyDate: '2026-01-15',
      description: 'CT ABDOMEN', accessionNumber: '', modalities: ['CT', 'SEG'], series: 2, instances: 33,
    }]);
  });

  it('leaves out what the archive does not know', () => {
    const [bare] = studySummaries([{ '0020000D': { vr: 'UI', Value: ['9.9'] } }]);

    expect(bare).toMatchObject({ patientName: '', studyDate: '', description: '', modalities: [], series: 0 });
  });

  it('keeps a date it cannot read as it came and drops empty name components', () => {
    expect(isoDate('2026')).toBe('2026');
    expect(personName('DOE^^JANE^')).toBe('DOE JANE');
  });
});

describe('the archive search', () => {
  it('asks only for the first page and one study more when nothing is typed', () => {
    expect(studySearchQuery(noStudyFilter, 20, 0)).toBe('limit=21&offset=0');
  });

  it('matches the patient ID as typed, the name and the description anywhere, and the modality in upper case', () => {
    const query = new URLSearchParams(studySearchQuery(
      { ...noStudyFilter, patientId: ' SYN-LIVER-CT-42-000 ', patientName: 'liver', modality: 'ct', description: 'ABDO*' }, 20, 40));

    expect(Object.fromEntries(query)).toEqual({
      PatientID: 'SYN-LIVER-CT-42-000', PatientName: '*liver*', ModalitiesInStudy: 'CT', StudyDescription: 'ABDO*', limit: '21', offset: '40',
    });
  });

  it('turns the date inputs into a DICOM date range, open at either end, or one date', () => {
    const date = (dateFrom: string, dateTo: string) => new URLSearchParams(studySearchQuery({ ...noStudyFilter, dateFrom, dateTo }, 1, 0)).get('StudyDate');

    expect([date('2026-01-01', '2026-01-31'), date('2026-01-01', ''), date('', '2026-01-31'), date('2026-01-15', '2026-01-15'), date('', '')])
      .toEqual(['20260101-20260131', '20260101-', '-20260131', '20260115', null]);
  });

  it('asks for a page\'s studies by UID list, each once', () => {
    expect(Object.fromEntries(new URLSearchParams(studiesByUidQuery(['1.2', '3.4', '1.2'])))).toEqual({ StudyInstanceUID: '1.2,3.4', limit: '3' });
  });
});
