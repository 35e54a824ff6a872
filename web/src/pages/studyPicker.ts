// Picking studies the archive holds to add to a dataset: a QIDO-RS search (patient, modality, date, description),
// paged, a checkbox per study, and Add for every study ticked. Ticks stay across searches and pages, so studies found
// by different searches are added together; the studies the dataset holds already are marked and cannot be ticked.

import { graphql } from '../api/graphql';
import { noStudyFilter, searchStudies, studySearchQuery, type StudyFilter, type StudySummary } from '../dicomweb/studies';
import { element, escapeHtml, showError } from '../ui';
import { addStudies } from './addCases';

/** How many studies one page of the search lists. */
const pageSize = 20;

/** Which of these studies the dataset holds already (studyCases answers a study's cases in every dataset). */
async function heldBy(datasetId: string, uids: string[]): Promise<Set<string>> {
  if (uids.length === 0) return new Set();
  const fields = uids.map((_, i) => `s${i}: studyCases(study: $s${i}, first: 500) { items { dataset { id } } }`).join(' ');
  const variables = Object.fromEntries(uids.map((uid, i) => [`s${i}`, uid]));
  const answer = await graphql<Record<string, { items: { dataset: { id: string } }[] }>>(
    `query(${uids.map((_, i) => `$s${i}: String!`).join(', ')}) { ${fields} }`, variables);
  return new Set(uids.filter((_, i) => answer[`s${i}`].items.some((item) => item.dataset.id === datasetId)));
}

function searchForm(): HTMLFormElement {
  return element<HTMLFormElement>(`<form class="dataset-form study-search" data-testid="study-search" aria-label="Search the archive">
    <label>Patient ID <input name="patientId" size="24"></label>
    <label>Patient name <input name="patientName" size="16"></label>
    <label>Modality <input name="modality" size="4" placeholder="CT"></label>
    <label>Study date from <input name="dateFrom" type="date"></label>
    <label>to <input name="dateTo" type="date"></label>
    <label>Description <input name="description" size="16"></label>
    <button type="submit">Search</button>
    <p class="hint">The patient ID matches as typed ('*' and '?' are wildcards); the name and the description match
      anywhere. The archive lists studies by Study Instance UID.</p></form>`);
}

function studyLine(study: StudySummary, held: boolean, ticked: boolean): string {
  const name = [study.patientName, study.description, study.studyInstanceUid].filter(Boolean).join(', ');
  const choose = held
    ? '<small class="badge" data-testid="held">in the dataset</small>'
    : `<input type="checkbox" data-uid="${escapeHtml(study.studyInstanceUid)}" aria-label="Add ${escapeHtml(name)}"${ticked ? ' checked' : ''}>`;
  return `<tr data-testid="archive-study" data-study="${escapeHtml(study.studyInstanceUid)}">
    <td>${choose}</td>
    <td>${escapeHtml(study.patientName || '—')}<br><small>${escapeHtml(study.patientId)}</small></td>
    <td>${escapeHtml(study.description || '—')}<br><small class="uid">${escapeHtml(study.studyInstanceUid)}</small></td>
    <td>${escapeHtml(study.studyDate || '—')}</td>
    <td>${escapeHtml(study.modalities.join(', ') || '—')}</td>
    <td>${study.series} series, ${study.instances} images</td></tr>`;
}

export function showStudyPicker(host: HTMLElement, dataset: { id: string; name: string }, added: (done: string) => Promise<void>): void {
  const form = searchForm();
  const results = element('<div data-testid="archive-studies" aria-live="polite"></div>');
  const footer = element(`<p class="picker-actions"><span data-testid="ticked">No study ticked.</span>
    <button type="button" class="primary" data-action="add-ticked" disabled>Add ticked studies</button>
    <button type="button" data-action="clear-ticks" disabled>Clear ticks</button></p>`);
  const said = element('<div class="form-message" aria-live="polite"></div>');
  host.append(form, results, footer, said);
  const ticked = new Set<string>();
  let filter: StudyFilter = noStudyFilter;
  let offset = 0;

  const showTicked = () => {
    footer.querySelector('[data-testid=ticked]')!.textContent = ticked.size === 0
      ? 'No study ticked.'
      : `${ticked.size} ${ticked.size === 1 ? 'study' : 'studies'} ticked.`;
    footer.querySelectorAll<HTMLButtonElement>('button').forEach((button) => {
      button.disabled = ticked.size === 0;
    });
  };

  const search = async () => {
    results.setAttribute('aria-busy', 'true');
    results.innerHTML = '<p>Searching the archive…</p>';
    try {
      const found = await searchStudies(studySearchQuery(filter, pageSize, offset));
      const shown = found.slice(0, pageSize);
      const held = await heldBy(dataset.id, shown.map((study) => study.studyInstanceUid));
      results.replaceChildren();
      if (shown.length === 0) {
        results.append(element(`<p data-testid="no-studies">${offset > 0
          ? 'No more studies match.'
          : 'No study in the archive matches: change the filters, or send the studies to the archive (DICOM listener, STOW-RS or a PACS import) first.'}</p>`));
      } else {
        results.append(element(`<table class="studies-list"><thead><tr><th scope="col"><span class="visually-hidden">Tick</span></th>
          <th scope="col">Patient</th><th scope="col">Study</th><th scope="col">Date</th><th scope="col">Modalities</th><th scope="col">Size</th></tr></thead>
          <tbody>${shown.map((study) => studyLine(study, held.has(study.studyInstanceUid), ticked.has(study.studyInstanceUid))).join('')}</tbody></table>`));
      }
      const more = found.length > pageSize;
      if (offset > 0 || more) {
        results.append(element(`<p class="paging">Studies ${offset + 1}–${offset + shown.length}
          ${offset > 0 ? '<button type="button" data-action="previous">Previous studies</button>' : ''}
          ${more ? '<button type="button" data-action="next">Next studies</button>' : ''}</p>`));
      }
    } catch (error) {
      results.replaceChildren();
      showError(results, error);
    } finally {
      results.setAttribute('aria-busy', 'false');
    }
  };

  form.onsubmit = (event) => {
    event.preventDefault();
    const fields = new FormData(form);
    filter = Object.fromEntries(Object.keys(noStudyFilter).map((key) => [key, String(fields.get(key) ?? '')])) as unknown as StudyFilter;
    offset = 0;
    void search();
  };
  results.addEventListener('change', (event) => {
    const box = event.target as HTMLInputElement;
    if (!box.dataset.uid) return;
    if (box.checked) ticked.add(box.dataset.uid);
    else ticked.delete(box.dataset.uid);
    showTicked();
  });
  results.addEventListener('click', (event) => {
    const action = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]')?.dataset.action;
    if (action === 'next') offset += pageSize;
    else if (action === 'previous') offset = Math.max(0, offset - pageSize);
    else return;
    void search();
  });
  footer.addEventListener('click', (event) => {
    const action = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]')?.dataset.action;
    if (action === 'clear-ticks') {
      ticked.clear();
      results.querySelectorAll<HTMLInputElement>('input[data-uid]').forEach((box) => {
        box.checked = false;
      });
      showTicked();
    } else if (action === 'add-ticked') {
      void addTicked();
    }
  });

  const addTicked = async () => {
    const button = footer.querySelector<HTMLButtonElement>('[data-action=add-ticked]')!;
    button.disabled = true;
    said.replaceChildren();
    try {
      const done = await addStudies(dataset, [...ticked]);
      ticked.clear();
      showTicked();
      await added(done);
      await search();
    } catch (error) {
      showError(said, error);
      showTicked();
    }
  };
  void search();
}
