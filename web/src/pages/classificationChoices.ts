// The annotator's controls for a classification dataset: one checkbox per label of the dataset (keys 1–9 toggle them),
// and a save button (Ctrl+S). A label left unticked is saved as false. The label review page's Correct uses them too.

import { escapeHtml } from '../ui';

export interface ClassificationChoices {
  element: HTMLElement;
  /** Every label of the dataset, ticked or not. */
  values(): Record<string, boolean>;
  /** Shows a stored label's answers (someone else's revision). */
  set(values: Record<string, boolean>): void;
  /** Disables the checkboxes, the button and the keys (while saving), or enables them again. */
  enable(enabled: boolean): void;
}

export function classificationChoices(names: string[], stored: Record<string, boolean> | undefined, save: () => void,
  saveLabel = 'Save label'): ClassificationChoices {
  const element = document.createElement('fieldset');
  element.className = 'toolbar classification';
  element.innerHTML = `<legend>Labels (keys 1–${Math.min(names.length, 9)})</legend>${names
    .map((name, index) => `<label><input type="checkbox" name="label" value="${escapeHtml(name)}"${stored?.[name] ? ' checked' : ''}>
      ${index < 9 ? `<kbd>${index + 1}</kbd> ` : ''}${escapeHtml(name)}</label>`)
    .join('')}
    <button type="button" class="primary" title="Ctrl+S">${escapeHtml(saveLabel)}</button>`;
  const boxes = [...element.querySelectorAll<HTMLInputElement>('input[name=label]')];
  element.querySelector('button')!.onclick = save;
  let enabled = true;
  document.onkeydown = (event) => {
    if (!enabled || (event.target as HTMLElement).closest('input[type=text], select, textarea')) return;
    const digit = Number(event.key);
    if (event.ctrlKey && event.key.toLowerCase() === 's') { save(); event.preventDefault(); }
    else if (!event.ctrlKey && digit >= 1 && digit <= boxes.length) boxes[digit - 1].checked = !boxes[digit - 1].checked;
  };
  return {
    element,
    values: () => Object.fromEntries(boxes.map((box) => [box.value, box.checked])),
    set(values) {
      boxes.forEach((box) => { box.checked = values[box.value] === true; });
    },
    enable(on) {
      enabled = on;
      element.disabled = !on;
    },
  };
}
