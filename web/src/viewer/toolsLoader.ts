// Cornerstone3D's tools (mouse bindings, segmentation, brushes: a large share of the viewer's code) are loaded by import()
// once a viewer has drawn its first image, so that image waits only for core and the DICOM image loader. Until they
// arrive the wheel scrolls through core, as the tools' StackScrollTool would (wheelStep.ts); a drag does nothing.

import { utilities, type Types } from '@cornerstonejs/core';
import type * as Tools from './tools';
import { wheelStep } from './wheelStep';

let loaded: Promise<typeof Tools> | undefined;

/** The tools, set up: loaded on the first call, the same promise after. */
export function loadTools(): Promise<typeof Tools> {
  loaded ??= import('./tools').then((tools) => {
    tools.startTools();
    return tools;
  });
  return loaded;
}

/**
 * Scrolls `viewport` (through `volumeId`'s slices, for a volume viewport) one slice per wheel event until the answer
 * is called, when the tools' own wheel binding takes over: both at once would scroll two slices a notch.
 */
export function scrollBeforeTools(viewport: Types.IViewport, volumeId?: string): () => void {
  const onWheel = (event: WheelEvent) => {
    const delta = wheelStep(event.deltaY);
    if (delta === 0) return;
    event.preventDefault(); // the page stays where it is, as with the tools
    utilities.scroll(viewport, { delta, volumeId, debounceLoading: true });
  };
  viewport.element.addEventListener('wheel', onWheel, { passive: false });
  return () => viewport.element.removeEventListener('wheel', onWheel);
}
