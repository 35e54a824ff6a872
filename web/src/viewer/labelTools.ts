// The labelling toolbar both the annotator workspace and the review page's "Correct" use: Navigate (N), Brush (B),
// Threshold brush (T, with its range), Scissors (R: a rectangle), Circle (C) and Sphere (S) scissors, Eraser (E), brush size, the segment to paint, Undo (Ctrl+Z), Redo
// (Ctrl+Y) and a save button (Ctrl+S). They are disabled until a labelmap is set up (its code and Cornerstone's tools
// load after the viewer's first image) and again while the annotator switches series, so no key or click acts on the
// labelmap of the series being left.

import { escapeHtml } from '../ui';
import type { Labelmap } from './labelmap';
import { parseValueRange } from './valueRange';

/** The key that selects each tool (without Ctrl: Ctrl+S saves, Ctrl+Z and Ctrl+Y undo and redo). */
export const toolKeys: Record<string, string> = {
  n: 'navigate', b: 'brush', t: 'threshold', r: 'scissors', c: 'circle', s: 'sphere', e: 'eraser',
};

export interface LabelTools {
  element: HTMLElement;
  /** Selects a tool: 'navigate', 'brush', 'threshold', 'scissors', 'circle', 'sphere' or 'eraser'. */
  choose(tool: string): void;
  /** Applies the toolbar's segment, size and tool to a (new) labelmap, and enables the toolbar. */
  setup(labelmap: Labelmap): void;
  /** Disables the toolbar until the next setup (the labelmap it acts on is going away). */
  suspend(): void;
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
      <button type="button" data-tool="threshold" title="Paint only the pixels whose value is in the range (T)">Threshold</button>
      <label>from <input type="number" name="low" step="any" size="6"></label>
      <label>to <input type="number" name="high" step="any" size="6"></label>
      <button type="button" data-tool="scissors" title="Fill a rectangle: drag its corners (R)">Scissors</button>
      <button type="button" data-tool="circle" title="Fill a circle: drag from its centre to its edge (C)">Circle</button>
      <button type="button" data-tool="sphere" title="Fill a sphere over the slices it reaches: drag from its centre to its edge (S)">Sphere</button>
      <button type="button" data-tool="eraser" title="Erase (E)">Eraser</button>
      <label>Size <input type="range" name="size" min="1" max="40" value="8"></label>
      <label>Segment <select name="segment">${Object.entries(labelNames)
        .map(([value, name]) => `<option value="${value}">${escapeHtml(name)}</option>`).join('')}</select></label>
      <button type="button" data-action="undo" title="Ctrl+Z">Undo</button>
      <button type="button" data-action="redo" title="Ctrl+Y">Redo</button>
      <button type="button" data-action="save" class="primary" title="Ctrl+S">${escapeHtml(saveLabel)}</button>`;
  const segment = element.querySelector<HTMLSelectElement>('select[name=segment]')!;
  const size = element.querySelector<HTMLInputElement>('input[name=size]')!;
  const [low, high] = ['low', 'high'].map((name) => element.querySelector<HTMLInputElement>(`input[name=${name}]`)!);
  let chosen = 'navigate';
  const choose = (tool: string) => {
    if (tool === 'threshold') {
      // The range starts as the window shown (what the annotator sees as tissue) until they type their own.
      if (low.value === '' && high.value === '') [low.value, high.value] = current().windowRange().map(String);
      const range = parseValueRange(low.value, high.value);
      if ('error' in range) {
        low.setCustomValidity(range.error);
        low.reportValidity();
        return;
      }
      low.setCustomValidity('');
      current().useThreshold(range);
    } else if (tool === 'brush') current().useBrush();
    else if (tool === 'scissors') current().useScissors('rectangle');
    else if (tool === 'circle' || tool === 'sphere') current().useScissors(tool);
    else if (tool === 'eraser') current().useEraser();
    else current().useNavigation();
    chosen = tool;
    element.querySelectorAll('[data-tool]').forEach((b) => b.setAttribute('aria-pressed', String(b.getAttribute('data-tool') === tool)));
  };
  low.onchange = high.onchange = () => { if (chosen === 'threshold') choose('threshold'); };
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
    else if (!event.ctrlKey && !event.altKey && !event.metaKey && Object.hasOwn(toolKeys, key)) choose(toolKeys[key]);
  };
  return {
    element,
    choose,
    setup(labelmap) {
      labelmap.setSegment(Number(segment.value));
      labelmap.setBrushSize(Number(size.value));
      ready = true;
      controls().forEach((control) => { control.disabled = false; });
      choose(chosen); // a new series' labelmap gets the tool the annotator was using
    },
    suspend() {
      ready = false;
      controls().forEach((control) => { control.disabled = true; });
    },
  };
}
