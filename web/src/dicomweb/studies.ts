// Studies the archive holds, as the Datasets page lists them: QIDO-RS at study level (PS3.18 §10.6) with the matching
// keys the archive supports (PatientID, PatientName, ModalitiesInStudy, StudyDate ranges, StudyDescription; '*' and '?'
// wildcards), paged by limit and offset. The archive answers them ordered by Study Instance UID.

import { text, type DicomJson } from './series';

const StudyTag = {
  StudyInstanceUID: '0020000D',
  PatientID: '00100020',
  PatientName: '00100010',
  StudyDate: '00080020',
  StudyDescription: '00081030',
  AccessionNumber: '00080050',
  ModalitiesInStudy: '00080061',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
} as const;

export interface StudySummary {
  studyInstanceUid: string;
  patientId: string;
  patientName: string;
  /** YYYY-MM-DD, or '' when the archive does not know it. */
  studyDate: string;
  description: string;
  accessionNumber: string;
  modalities: string[];
  series: number;
  instances: number;
}

/** What an ML engineer typed to narrow the archive's studies; empty fields do not narrow. */
export interface StudyFilter {
  patientId: string;
  patientName: string;
  modality: string;
  /** YYYY-MM-DD, as a date input gives it. */
  dateFrom: string;
  dateTo: string;
  description: string;
}

export const noStudyFilter: StudyFilter = { patientId: '', patientName: '', modality: '', dateFrom: '', dateTo: '', description: '' };

/** A DICOM DA (YYYYMMDD) as YYYY-MM-DD; anything else as it came. */
export function isoDate(da: string): string {
  return /^\d{8}$/.test(da) ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6)}` : da;
}

/** A person name's components (family^given^middle^prefix^suffix) separated by spaces. */
export function personName(pn: string): string {
  return pn.split('^').map((part) => part.trim()).filter(Boolean).join(' ');
}

/** QIDO-RS study-level JSON as rows. */
export function studySummaries(found: DicomJson[]): StudySummary[] {
  return found.map((item) => ({
    studyInstanceUid: text(item, StudyTag.StudyInstanceUID),
    patientId: text(item, StudyTag.PatientID),
    patientName: personName(text(item, StudyTag.PatientName)),
    studyDate: isoDate(text(item, StudyTag.StudyDate)),
    description: text(item, StudyTag.StudyDescription),
    accessionNumber: text(item, StudyTag.AccessionNumber),
    // The archive sends ModalitiesInStudy as one value joined by '\' or as several values.
    modalities: (item[StudyTag.ModalitiesInStudy]?.Value ?? []).flatMap((value) => String(value).split('\\')).filter(Boolean),
    series: Number(text(item, StudyTag.NumberOfStudyRelatedSeries) || 0),
    instances: Number(text(item, StudyTag.NumberOfStudyRelatedInstances) || 0),
  }));
}

/** A text to match anywhere in the value: the archive matches exactly unless the value has a wildcard. */
function containing(typed: string): string {
  const value = typed.trim();
  return value === '' || /[*?]/.test(value) ? value : `*${value}*`;
}

/**
 * The QIDO-RS query of a filter: the patient ID as typed (exact unless it has '*' or '?'), the patient's name and the
 * study's description anywhere in the value, a modality among the study's, the study date within the range given.
 * One more study than a page is asked for, so the page knows whether there is a next one.
 */
export function studySearchQuery(filter: StudyFilter, pageSize: number, offset: number): string {
  const query = new URLSearchParams();
  const add = (key: string, value: string) => {
    if (value !== '') query.set(key, value);
  };
  add('PatientID', filter.patientId.trim());
  add('PatientName', containing(filter.patientName));
  add('ModalitiesInStudy', filter.modality.trim().toUpperCase());
  const from = filter.dateFrom.replaceAll('-', '');
  const to = filter.dateTo.replaceAll('-', '');
  add('StudyDate', from === '' && to === '' ? '' : from === to ? from : `${from}-${to}`);
  add('StudyDescription', containing(filter.description));
  query.set('limit', String(pageSize + 1));
  query.set('offset', String(offset));
  return query.toString();
}

/** The QIDO-RS query for the studies of these UIDs (UID list matching, ',' separated), all of them on one page. */
export function studiesByUidQuery(uids: string[]): string {
  return new URLSearchParams({ StudyInstanceUID: [...new Set(uids)].join(','), limit: String(Math.max(1, uids.length)) }).toString();
}

/** QIDO-RS at study level through the gateway; a refusal is the archive's message, with what was asked. */
export async function searchStudies(query: string): Promise<StudySummary[]> {
  const response = await fetch(`/dicomweb/studies?${query}`, { credentials: 'same-origin', headers: { Accept: 'application/dicom+json' } });
  if (response.status === 204) return [];
  if (!response.ok) {
    const detail = await response.text();
    let message = detail;
    try {
      message = (JSON.parse(detail) as { detail?: string }).detail ?? detail;
    } catch {
      // not a problem document: the body as it came
    }
    throw new Error(`The archive refused the search (${response.status}): ${message || response.statusText}. Change the filters and search again.`);
  }
  return studySummaries((await response.json()) as DicomJson[]);
}
