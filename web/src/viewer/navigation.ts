// What the stack and MPR viewers share besides their mouse bindings (tools.ts): a toolbar with a button per window preset.

import type { Preset } from './windowPresets';

export function presetButtons(toolbar: HTMLElement, presets: Preset[], apply: (preset: Preset) => void): void {
  for (const preset of presets) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = preset.label;
    button.onclick = () => apply(preset);
    toolbar.append(button);
  }
}

/** Empties `host` for a viewer and gives it its toolbar. */
export function viewerToolbar(host: HTMLElement): HTMLElement {
  host.innerHTML = '';
  host.classList.add('viewer');
  const toolbar = document.createElement('div');
  toolbar.className = 'toolbar';
  toolbar.setAttribute('role', 'toolbar');
  return toolbar;
}
