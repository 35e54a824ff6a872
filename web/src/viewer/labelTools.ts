// The labelling toolbar both the annotator workspace and the review page's "Correct" use: Navigate (N), Brush (B),
// Eraser (E), brush size, the segment to paint, Undo (Ctrl+Z), Redo (Ctrl+Y) and a save button (Ctrl+S). They are
// disabled until the first labelmap is set up (its code and Cornerstone's tools load after the viewer's first image).

import { escapeHtml } from '../ui';
import type { Labelmap } from './labelmap';

export interface LabelTools {
  element: HTMLElement;
  /** Selects a tool: 'navigate', 'brush' or 'eraser'. */
  choose(tool: string): void;
  /** Applies the toolbar's segment and size to a (new) labelmap, and enables the toolbar. */
  setup(labelmap: Labelmap): void;
}

/**
 * @param current the labelmap the tools act on now (the annotator may switch series, which makes a new one)
 * @param save what the save button and Ctrl+S do
 */
export function labelTools(labelNames: Record<string, string>, saveLabel: string, current: () => Labelmap, save: () => void): LabelTools {
  const element = document.createElement('div');
  element.className = 'toolbar labels';
  element.setAttribute('role', 'toolbar');
  element.setAttribute('aria-label', 'Labelling tools');
  element.innerHTML = `
      <button type="button" data-tool="navigate" title="Window/level with the left button (N)">Navigate</button>
      <button type="button" data-tool="brush" title="Paint (B)">Brush</button>
      <button type="button" data-tool="eraser" title="Erase (E)">Eraser</button>
      <label>Size <input type="range" name="size" min="1" max="40" value="8"></label>
      <label>Segment <select name="segment">${Object.entries(labelNames)
        .map(([value, name]) => `<option value="${value}">${escapeHtml(name)}</option>`).join('')}</select></label>
      <button type="button" data-action="undo" title="Ctrl+Z">Undo</button>
      <button type="button" data-action="redo" title="Ctrl+Y">Redo</button>
      <button type="button" data-action="save" class="primary" title="Ctrl+S">${escapeHtml(saveLabel)}</button>`;
  const segment = element.querySelector<HTMLSelectElement>('select[name=segment]')!;
  const size = element.querySelector<HTMLInputElement>('input[name=size]')!;
  const choose = (tool: string) => {
    element.querySelectorAll('[data-tool]').forEach((b) => b.setAttribute('aria-pressed', String(b.getAttribute('data-tool') === tool)));
    if (tool === 'brush') current().useBrush();
    else if (tool === 'eraser') current().useEraser();
    else current().useNavigation();
  };
  segment.onchange = () => current().setSegment(Number(segment.value));
  size.oninput = () => current().setBrushSize(Number(size.value));
  let ready = false;
  const controls = () => element.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>('button, input, select');
  controls().forEach((control) => { control.disabled = true; });
  element.onclick = (event) => {
    const button = (event.target as HTMLElement).closest('button');
    if (!button) return;
    if (button.dataset.tool) choose(button.dataset.tool);
    if (button.dataset.action === 'undo') current().undo();
    if (button.dataset.action === 'redo') current().redo();
    if (button.dataset.action === 'save') save();
  };
  document.onkeydown = (event) => {
    if (!ready || (event.target as HTMLElement).closest('input, select, textarea')) return;
    const key = event.key.toLowerCase();
    if (event.ctrlKey && key === 'z') { current().undo(); event.preventDefault(); }
    else if (event.ctrlKey && key === 'y') { current().redo(); event.preventDefault(); }
    else if (event.ctrlKey && key === 's') { save(); event.preventDefault(); }
    else if (!event.ctrlKey && key === 'b') choose('brush');
    else if (!event.ctrlKey && key === 'e') choose('eraser');
    else if (!event.ctrlKey && key === 'n') choose('navigate');
  };
  return {
    element,
    choose,
    setup(labelmap) {
      labelmap.setSegment(Number(segment.value));
      labelmap.setBrushSize(Number(size.value));
      ready = true;
      controls().forEach((control) => { control.disabled = false; });
    },
  };
}
