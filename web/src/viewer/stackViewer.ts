// One stack viewport over a series from the archive: scroll (wheel), window/level (left drag), pan (middle drag), zoom
// (right drag), presets, a slice counter and a loading progress bar. Optionally a labelmap to paint on (labelmap.ts).
// The mouse bindings come with Cornerstone's tools, loaded after the first image is drawn (toolsLoader.ts); until then
// the wheel scrolls and a drag does nothing. Until Cornerstone draws its first image, a preview drawn without it may
// show the slice (firstImagePreview.ts).

import { cache, Enums, imageLoader, RenderingEngine, type Types } from '@cornerstonejs/core';
import type { Types as ToolTypes } from '@cornerstonejs/tools';
import { loadSeries, type SortedSeries } from '../dicomweb/series';
import { imageIdsOf, startCornerstone } from './cornerstone';
import { fetchPreviewFrame, showFirstImage } from './firstImagePreview';
import { shownSlice, sliceLoadOrder } from './loadOrder';
import { presetButtons } from './navigation';
import { stackMarkup, type StackMarkup } from './stackMarkup';
import { loadTools, scrollBeforeTools } from './toolsLoader';
import { dicomweb } from './viewerPrefetch';
import { autoPreset, autoWindow, presetsFor, toRange, type Preset } from './windowPresets';


/** Sets a performance mark the first time `name` is reached on this page, and passes `value` on. */
function mark<T>(name: string, value: T): T {
  if (performance.getEntriesByName(name).length === 0) performance.mark(name);
  return value;
}

let viewers = 0;

export interface StackViewer {
  series: SortedSeries;
  imageIds: string[];
  viewport: Types.IStackViewport;
  /**
   * The viewer's tool group (its mouse bindings), once the tools are loaded after the first image; the host then says
   * `data-tools="ready"`. Fails when the viewer is destroyed first.
   */
  tools: Promise<ToolTypes.IToolGroup>;
  viewportId: string;
  renderingEngine: RenderingEngine;
  applyPreset(preset: Preset): void;
  destroy(): void;
}

/**
 * Builds the viewport's markup in `host` and loads the series into it.
 * @param shared a rendering engine several viewers draw with (side by side); without one the viewer has its own
 * @param metadata the series' metadata when the page asked for it already (loadSeries); otherwise it is asked for here
 * @param markup the viewer's markup when the page laid it out already (stackMarkup), with the first image's preview
 */
export async function openStack(host: HTMLElement, study: string, seriesUid: string, shared?: RenderingEngine,
  metadata?: Promise<SortedSeries>, markup?: StackMarkup): Promise<StackViewer> {
  // The metadata request and Cornerstone's start (WebGL, the loader's workers) do not wait for each other, and the
  // first image's preview is drawn as soon as the shown slice's frame is in (firstImagePreview.ts).
  const started = startCornerstone().then(() => mark('cl2:cornerstone', undefined));
  const series = await (metadata ?? loadSeries(dicomweb, study, seriesUid)).then((sorted) => mark('cl2:metadata', sorted));
  const shown = shownSlice(series.instances.length);
  const { toolbar, element, progress, counter, preview: early } = markup ?? stackMarkup(host);
  const preview = early ?? showFirstImage(element, fetchPreviewFrame(dicomweb, series.instances[shown]));
  await started;
  const imageIds = imageIdsOf(dicomweb, series);
  // The shown slice's frame is asked for before the viewport is built, so its request and decoding overlap the set-up;
  // setStack below gets the same cached request. A failure is reported where the slices load, below.
  imageLoader.loadAndCacheImage(imageIds[shown]).then(() => mark('cl2:first-frame', undefined), () => undefined);
  progress.max = imageIds.length;

  const id = ++viewers;
  const viewportId = `stack-${id}`;
  const renderingEngine = shared ?? new RenderingEngine(`engine-${id}`);
  renderingEngine.enableElement({ viewportId, type: Enums.ViewportType.STACK, element });
  const viewport = renderingEngine.getViewport(viewportId) as Types.IStackViewport;

  const showSlice = () => {
    counter.textContent = `Slice ${viewport.getCurrentImageIdIndex() + 1} / ${imageIds.length}`;
  };
  element.addEventListener(Enums.Events.STACK_NEW_IMAGE, showSlice);

  // Progressive loading: the middle slice is shown first, then every slice is fetched in the background, outwards from
  // the one shown (a slice the viewport already asked for is the same cached request).
  const loaded = new Set<string>();
  const markLoaded = (imageId: string) => {
    loaded.add(imageId);
    progress.value = loaded.size;
    host.dataset.loaded = String(loaded.size);
    if (loaded.size === imageIds.length) {
      progress.hidden = true;
      performance.mark('cl2:all-loaded');
    }
  };
  // Performance marks for `./cl2 bench viewer` (read with performance.getEntriesByName): Cornerstone's first image
  // drawn (the first image too, unless the preview was first), and every slice in the cache; on the way, the metadata
  // sorted, Cornerstone started and the shown slice's frame decoded (each once a page: a second viewer leaves the
  // first's marks as they are). Cornerstone's first image is the first render after the viewport was given an image
  // (STACK_NEW_IMAGE): a render before that (a tool group's set-up renders its viewports, for one) draws an empty viewport.
  const drawn = new Promise<void>((resolve) => element.addEventListener(Enums.Events.STACK_NEW_IMAGE, () => {
    element.addEventListener(Enums.Events.IMAGE_RENDERED, () => {
      mark('cl2:first-image', undefined); // already set when the preview came first
      mark('cl2:cornerstone-image', undefined);
      resolve();
    }, { once: true });
  }, { once: true }));
  // The tools are asked for once this viewer's first image is drawn (not before: their code would compete with it).
  const stopEarlyScroll = scrollBeforeTools(viewport);
  let destroyed = false;
  let destroyToolGroup: (() => void) | undefined;
  const tools = drawn.then(loadTools).then((code) => {
    if (destroyed) throw new Error(`Viewer ${viewportId} was closed before its tools were loaded.`);
    stopEarlyScroll();
    const toolGroup = code.navigationTools(`tools-${id}`, [viewportId], renderingEngine.id);
    destroyToolGroup = () => code.destroyToolGroup(toolGroup.id);
    host.dataset.tools = 'ready';
    return toolGroup;
  });
  tools.catch((error) => { // a closed viewer's tools are not wanted; whoever awaits them hears why
    if (!destroyed) counter.textContent = `The viewer's tools did not load: ${error instanceof Error ? error.message : String(error)}`;
  });
  await viewport.setStack(imageIds, shown);
  const presets = presetsFor(series.modality);
  const applyPreset = (preset: Preset) => {
    if (preset.window) {
      viewport.setProperties({ voiRange: toRange(preset.window) });
    } else {
      const image = cache.getImage(imageIds[viewport.getCurrentImageIdIndex()]);
      const pixels = image?.voxelManager?.getScalarData() as ArrayLike<number> | undefined;
      if (pixels) viewport.setProperties({ voiRange: toRange(autoWindow(pixels)) });
    }
    viewport.render();
  };
  presetButtons(toolbar, presets, applyPreset);
  // The preview, drawn with the Auto window, stays until Cornerstone has drawn the image with that window too.
  element.addEventListener(Enums.Events.IMAGE_RENDERED, () => preview.handOver(), { once: true });
  applyPreset(autoPreset);
  showSlice();
  host.dataset.rendered = 'true';
  for (const imageId of sliceLoadOrder(imageIds.length, shown).map((index) => imageIds[index])) {
    imageLoader.loadAndCacheImage(imageId).then(() => markLoaded(imageId), (error) => {
      counter.textContent = `Slice ${imageId.split('/instances/')[1]?.split('/')[0]} did not load: ${error instanceof Error ? error.message : String(error)}`;
    });
  }

  return {
    series,
    imageIds,
    viewport,
    tools,
    viewportId,
    renderingEngine,
    applyPreset,
    destroy() {
      destroyed = true;
      preview.handOver();
      stopEarlyScroll();
      destroyToolGroup?.();
      if (shared) renderingEngine.disableElement(viewportId);
      else renderingEngine.destroy();
    },
  };
}
