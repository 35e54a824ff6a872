// A stack viewer's markup — its toolbar, the viewport element, the loading bar and the slice counter — built without
// Cornerstone, so that the /viewer page can lay it out and draw the first image's preview in it while Cornerstone's
// code is still loading (stackViewer.ts fills it in).

import type { FirstImagePreview } from './firstImagePreview';
import { viewerToolbar } from './navigation';

export interface StackMarkup {
  toolbar: HTMLElement;
  /** The element Cornerstone's viewport is enabled on. */
  element: HTMLDivElement;
  progress: HTMLProgressElement;
  counter: HTMLSpanElement;
  /** The first image's preview, when the page started one before the viewer (on /viewer). */
  preview?: FirstImagePreview;
}

/** Empties `host` and lays out a stack viewer in it. */
export function stackMarkup(host: HTMLElement): StackMarkup {
  const toolbar = viewerToolbar(host);
  delete host.dataset.tools; // a host shown a series before: its tools went with that viewer
  const element = document.createElement('div');
  element.className = 'viewport';
  element.dataset.testid = 'viewport';
  element.oncontextmenu = (event) => event.preventDefault();
  const status = document.createElement('div');
  status.className = 'viewer-status';
  const progress = document.createElement('progress');
  progress.value = 0;
  progress.setAttribute('aria-label', 'Slices loaded');
  const counter = document.createElement('span');
  counter.setAttribute('aria-live', 'polite');
  status.append(progress, counter);
  host.append(toolbar, element, status);
  return { toolbar, element, progress, counter };
}
