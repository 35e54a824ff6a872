// Multiplanar reconstruction of a series: one volume (Cornerstone's streaming image volume over the same WADO-RS frames the
// stack viewer reads) in three orthographic viewports, axial, sagittal and coronal. Wheel scrolls through a view's
// slices, left drag windows, middle drag pans, right drag zooms; the window presets apply to all three. Each view shows
// where the other two views' planes cut it (reference lines, redrawn as any view scrolls), and a left drag that starts
// on a line moves that view's plane (crosshairs, referenceLineOverlay.ts). The mouse bindings come with
// Cornerstone's tools (toolsLoader.ts), asked for at once here: the views draw nothing before every slice is loaded.

import { Enums, RenderingEngine, setVolumesForViewports, volumeLoader, type Types } from '@cornerstonejs/core';
import type { Types as ToolTypes } from '@cornerstonejs/tools';
import { loadSeries } from '../dicomweb/series';
import { imageIdsOf, startCornerstone } from './cornerstone';
import { volumeReferenceLines } from './referenceLineOverlay';
import { presetButtons, viewerToolbar } from './navigation';
import { loadTools, scrollBeforeTools } from './toolsLoader';
import { dicomweb } from './viewerPrefetch';
import { autoPreset, autoWindow, presetsFor, toRange, type Preset } from './windowPresets';

export const mprViews = [
  { key: 'axial', label: 'Axial', orientation: Enums.OrientationAxis.AXIAL },
  { key: 'sagittal', label: 'Sagittal', orientation: Enums.OrientationAxis.SAGITTAL },
  { key: 'coronal', label: 'Coronal', orientation: Enums.OrientationAxis.CORONAL },
] as const;

let mprs = 0;

export interface MprViewer {
  /** The three views, axial, sagittal and coronal (mprViews' order). */
  viewports: Types.IVolumeViewport[];
  /**
   * The views' tool group (their mouse bindings), once the tools are loaded; the host then says `data-tools="ready"`.
   * Fails when the viewer is destroyed first.
   */
  tools: Promise<ToolTypes.IToolGroup>;
  /** Turns the reference lines on or off (on to start). */
  showReferenceLines(on: boolean): void;
  destroy(): void;
}

/** Builds three viewports in `host` and streams the series into one volume shown in all of them. */
export async function openMpr(host: HTMLElement, study: string, seriesUid: string): Promise<MprViewer> {
  await startCornerstone();
  const toolsCode = loadTools();
  const series = await loadSeries(dicomweb, study, seriesUid);
  if (series.instances.length < 3) {
    throw new Error(`A volume needs at least 3 slices; series ${seriesUid} has ${series.instances.length}. Open it as a stack instead.`);
  }
  const imageIds = imageIdsOf(dicomweb, series);
  const toolbar = viewerToolbar(host);
  const grid = document.createElement('div');
  grid.className = 'mpr';
  const status = document.createElement('div');
  status.className = 'viewer-status';
  status.setAttribute('aria-live', 'polite');
  status.textContent = `Loading ${imageIds.length} slices into a volume…`;
  host.append(toolbar, grid, status);

  const id = ++mprs;
  const renderingEngine = new RenderingEngine(`mpr-engine-${id}`);
  const viewportIds = mprViews.map((view) => `mpr-${id}-${view.key}`);
  renderingEngine.setViewports(mprViews.map((view, index) => {
    const cell = document.createElement('figure');
    cell.innerHTML = `<figcaption>${view.label}</figcaption>`;
    const element = document.createElement('div');
    element.className = 'viewport';
    element.dataset.testid = `mpr-${view.key}`;
    element.oncontextmenu = (event) => event.preventDefault();
    cell.append(element);
    grid.append(cell);
    return { viewportId: viewportIds[index], type: Enums.ViewportType.ORTHOGRAPHIC, element, defaultOptions: { orientation: view.orientation } };
  }));

  const volumeId = `cornerstoneStreamingImageVolume:mpr-${id}`;
  const volume = await volumeLoader.createAndCacheVolume(volumeId, { imageIds });
  // The callback runs once every frame is processed (at once when the volume was loaded before).
  const streaming = volume as unknown as { load(callback: () => void): void }; // BaseStreamingImageVolume.load(callback)
  const loaded = new Promise<void>((resolve) => streaming.load(() => resolve()));
  await setVolumesForViewports(renderingEngine, [{ volumeId }], viewportIds);
  const stopEarlyScroll = viewportIds.map((viewportId) => scrollBeforeTools(renderingEngine.getViewport(viewportId), volumeId));
  let destroyed = false;
  let destroyToolGroup: (() => void) | undefined;
  const tools = toolsCode.then((code) => {
    if (destroyed) throw new Error(`The MPR views of series ${seriesUid} were closed before their tools were loaded.`);
    stopEarlyScroll.forEach((stop) => stop());
    const toolGroup = code.navigationTools(`mpr-tools-${id}`, viewportIds, renderingEngine.id);
    destroyToolGroup = () => code.destroyToolGroup(toolGroup.id);
    host.dataset.tools = 'ready';
    return toolGroup;
  });
  tools.catch((error) => { // closed views' tools are not wanted; whoever awaits them hears why
    if (!destroyed) status.textContent = `The viewer's tools did not load: ${error instanceof Error ? error.message : String(error)}`;
  });

  const viewports = () => viewportIds.map((viewportId) => renderingEngine.getViewport(viewportId) as Types.IVolumeViewport);
  const applyPreset = (preset: Preset) => {
    const window = preset.window ?? autoWindow(volume.voxelManager?.getMiddleSliceData() ?? []);
    viewports().forEach((viewport) => viewport.setProperties({ voiRange: toRange(window) }));
    renderingEngine.renderViewports(viewportIds);
  };
  presetButtons(toolbar, presetsFor(series.modality), applyPreset);
  const { origin, direction, spacing, dimensions } = volume;
  const showReferenceLines = volumeReferenceLines(viewports(), { origin, direction, spacing, dimensions, volumeId });
  // Each view's caption says which of its slices it shows (a scroll, or a crosshair dragged in another view, moves it).
  viewports().forEach((viewport, index) => {
    const caption = viewport.element.parentElement!.querySelector('figcaption')!;
    const showSlice = () => {
      const slice = viewport.getSliceIndex();
      viewport.element.dataset.slice = String(slice);
      // The point the view is centred on (mm), in its plane: where its slice lies, for a test to check against the grid.
      viewport.element.dataset.focalPoint = viewport.getCamera().focalPoint!.map((value) => value.toFixed(3)).join(',');
      caption.textContent = `${mprViews[index].label} ${slice + 1}/${viewport.getNumberOfSlices()}`;
    };
    viewport.element.addEventListener(Enums.Events.CAMERA_MODIFIED, showSlice);
    showSlice();
  });
  await loaded;
  applyPreset(autoPreset);
  status.textContent = `${imageIds.length} slices, ${series.grid.rows}×${series.grid.columns}`;
  host.dataset.loaded = String(imageIds.length);
  host.dataset.rendered = 'true';
  return {
    viewports: viewports(),
    tools,
    showReferenceLines,
    destroy() {
      destroyed = true;
      stopEarlyScroll.forEach((stop) => stop());
      destroyToolGroup?.();
      renderingEngine.destroy();
    },
  };
}
