// Multiplanar reconstruction of a series: one volume (Cornerstone's streaming image volume over the same WADO-RS frames the
// stack viewer reads) in three orthographic viewports, axial, sagittal and coronal. Wheel scrolls through a view's
// slices, left drag windows, middle drag pans, right drag zooms; the window presets apply to all three. Each view shows
// where the other two views' planes cut it (reference lines, redrawn as any view scrolls), and a left drag that starts
// on a line moves that view's plane (crosshairs, referenceLineOverlay.ts). The mouse bindings come with
// Cornerstone's tools (toolsLoader.ts), asked for at once here: the views draw nothing before every slice is loaded.

import { Enums, RenderingEngine, setVolumesForViewports, utilities, volumeLoader, type Types } from '@cornerstonejs/core';
import type { Types as ToolTypes } from '@cornerstonejs/tools';
import { loadSeries } from '../dicomweb/series';
import { imageIdsOf, startCornerstone } from './cornerstone';
import { isOblique } from './obliquePlanes';
import { viewPlane, volumeReferenceLines, type Crosshairs } from './referenceLineOverlay';
import { slicesToReach, type Vector } from './referenceLines';
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
  /** Scrolls every view, a whole slice at a time, so that its plane passes (nearest) through `point` (mm). */
  showThrough(point: Vector): void;
  /** Where the three views' planes meet (mm); none where two of them are parallel. */
  crossingPoint(): Vector | undefined;
  destroy(): void;
}

export interface MprOptions {
  /** A point (mm) the views' planes pass through at first (a stack's slice: the view along its normal shows it); else the volume's centre. */
  through?: Vector;
  /**
   * Whether the crosshairs' handles turn the planes (oblique views), with a Reset button and a hint. Off where the views
   * are painted: the labelmap's strokes are only checked on orthogonal views.
   */
  turnable?: boolean;
}

/** Builds three viewports in `host` and streams the series into one volume shown in all of them. */
export async function openMpr(host: HTMLElement, study: string, seriesUid: string, { through, turnable = false }: MprOptions = {}): Promise<MprViewer> {
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
    if (turnable) {
      // Focusable, so that [ and ] turn the other views' planes from the keyboard too.
      element.tabIndex = 0;
      element.setAttribute('aria-label', `${view.label} view: [ and ] turn the other two planes about this one`);
    }
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
  const showThrough = (point: Vector) => viewports().forEach((viewport) => {
    const delta = slicesToReach(viewPlane(viewport), point, { origin, direction, spacing, dimensions });
    if (delta !== 0) utilities.scroll(viewport as Types.IViewport, { delta, volumeId });
  });
  if (through) showThrough(through);
  const crosshairs = volumeReferenceLines(viewports(), { origin, direction, spacing, dimensions, volumeId }, turnable);
  if (turnable) turningControls(toolbar, viewports(), crosshairs);
  // Each view's caption says which of its slices it shows (a scroll, or a crosshair dragged in another view, moves it),
  // and whether its plane is turned from the one it opened with.
  viewports().forEach((viewport, index) => {
    const caption = viewport.element.parentElement!.querySelector('figcaption')!;
    const openedNormal = [...viewport.getCamera().viewPlaneNormal!] as Vector;
    const showSlice = () => {
      const slice = viewport.getSliceIndex();
      const { focalPoint, viewPlaneNormal } = viewport.getCamera();
      const oblique = isOblique([...viewPlaneNormal!] as Vector, openedNormal);
      viewport.element.dataset.slice = String(slice);
      viewport.element.dataset.oblique = String(oblique);
      // The point the view is centred on (mm), in its plane: where its slice lies, for a test to check against the grid.
      viewport.element.dataset.focalPoint = focalPoint!.map((value) => value.toFixed(3)).join(',');
      caption.textContent = `${mprViews[index].label}${oblique ? ' (oblique)' : ''} ${slice + 1}/${viewport.getNumberOfSlices()}`;
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
    showReferenceLines: crosshairs.show,
    showThrough,
    crossingPoint: crosshairs.crossingPoint,
    destroy() {
      destroyed = true;
      stopEarlyScroll.forEach((stop) => stop());
      destroyToolGroup?.();
      renderingEngine.destroy();
    },
  };
}

/** How far one press of [ or ] turns the planes. */
const turnStep = (5 * Math.PI) / 180;

/** The Reset button and hint for turning the planes, and the keys that turn them about the focused view's normal. */
function turningControls(toolbar: HTMLElement, viewports: Types.IVolumeViewport[], crosshairs: Crosshairs): void {
  const reset = document.createElement('button');
  reset.type = 'button';
  reset.textContent = 'Reset planes';
  reset.title = 'Turns the three planes back to axial, sagittal and coronal, through the point they meet at';
  reset.onclick = () => crosshairs.reset();
  const hint = document.createElement('small');
  hint.className = 'hint';
  hint.textContent = 'Drag a line to move its plane, a round handle to turn the planes ([ and ] over a focused view).';
  toolbar.append(reset, hint);
  viewports.forEach((viewport, shown) => viewport.element.addEventListener('keydown', (event) => {
    if (event.key !== '[' && event.key !== ']') return;
    event.preventDefault();
    crosshairs.turn(shown, event.key === ']' ? turnStep : -turnStep);
  }));
}
