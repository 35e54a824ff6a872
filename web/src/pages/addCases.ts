// Adding studies of the archive to a dataset as its cases (addCases): the paste box the datasets list and a dataset's
// own page both offer, and the one mutation both they and the archive's study picker send.

import { graphql } from '../api/graphql';
import { addedText } from '../labels/datasetForm';
import { element, escapeHtml } from '../ui';

/** Adds the studies the dataset does not hold yet; what was done in words ("2 cases added."). */
export async function addStudies(dataset: { id: string; name: string }, studyInstanceUids: string[]): Promise<string> {
  const { addCases: added } = await graphql<{ addCases: { id: string }[] }>(
    'mutation($input: AddCasesInput!) { addCases(input: $input) { id } }', { input: { datasetId: dataset.id, studyInstanceUids } });
  return `${dataset.name}: ${addedText(studyInstanceUids.length, added.length)}`;
}

export function pasteCasesForm(dataset: { name: string }): HTMLFormElement {
  return element<HTMLFormElement>(`<form class="dataset-form" data-testid="add-cases" aria-label="Add cases to ${escapeHtml(dataset.name)}">
    <h3>Add cases to ${escapeHtml(dataset.name)}</h3>
    <label>Study Instance UIDs, one per line <textarea name="studies" rows="4" cols="70" required></textarea></label>
    <p class="hint">Each study must be in the archive already (sent to the DICOM listener, stored by STOW-RS, or imported
      from a PACS); studies the dataset holds already are skipped.</p>
    <button type="submit" class="primary">Add cases</button> <button type="button" data-action="close">Cancel</button>
    <div class="form-message" aria-live="polite"></div></form>`);
}
