// Series side by side linked (the study viewer's "Scroll together"): the slice one viewport moves to is shown in the
// others of the same orientation at the same place in the patient (syncedSlices.ts); its zoom and pan reach the others as a relative camera, and
// its window width/level reaches those of the same modality (linkedViews.ts).

import { Enums, type Types } from '@cornerstonejs/core';
import { cameraOn, relativeCamera, sameCamera, windowFollowers } from './linkedViews';
import type { StackViewer } from './stackViewer';
import { sameOrientation, syncedSlice } from './syncedSlices';

const canvasOf = (viewport: Types.IStackViewport) => ({ width: viewport.canvas.clientWidth, height: viewport.canvas.clientHeight });

/** The viewport's zoom, and its pan relative to its canvas (what a follower is given), as a page (or a test) can read them from its element. */
const showCamera = (viewport: Types.IStackViewport) => {
  viewport.element.dataset.zoom = viewport.getZoom().toFixed(3);
  const { pan } = relativeCamera(viewport.getZoom(), viewport.getPan() as [number, number], canvasOf(viewport));
  viewport.element.dataset.pan = pan.map((shift) => shift.toFixed(3)).join(',');
};

/** The viewport's window as the range of values it spans, as a page (or a test) can read it from its element. */
const showWindow = (viewport: Types.IStackViewport) => {
  const range = viewport.getProperties().voiRange;
  if (range) viewport.element.dataset.window = `${range.lower.toFixed(1)}..${range.upper.toFixed(1)}`;
};

/**
 * Links the viewers; the answer turns the link on or off (on to start). Only the viewport the user works in (the last
 * one scrolled, clicked or focused, its toolbar included) leads: the others' own changes, which arrive a frame later,
 * are not sent back to it, so a fast scroll or drag is never pulled back to where it has left.
 */
export function scrollTogether(viewers: StackViewer[]): (on: boolean) => void {
  let on = true;
  let leader: StackViewer | undefined;
  const followSlice = () => {
    if (!on || !leader) return;
    const shown = leader.viewport.getCurrentImageIdIndex();
    for (const other of viewers) {
      if (other === leader || !sameOrientation(leader.series, other.series)) continue;
      const target = syncedSlice(leader.series, shown, other.series);
      if (other.viewport.getCurrentImageIdIndex() === target) continue;
      // Set in the same turn as the leader's slice counter, so a page (or a test) can tell what followed.
      other.viewport.element.dataset.followed = String(target);
      void other.viewport.setImageIdIndex(target);
    }
  };
  const followCamera = () => {
    if (!on || !leader) return;
    const relative = relativeCamera(leader.viewport.getZoom(), leader.viewport.getPan() as [number, number], canvasOf(leader.viewport));
    for (const other of viewers) {
      if (other === leader) continue;
      const camera = cameraOn(relative, canvasOf(other.viewport));
      if (sameCamera(camera, { zoom: other.viewport.getZoom(), pan: other.viewport.getPan() as [number, number] })) continue;
      // Zoom first: Cornerstone measures the pan in canvas pixels at the zoom shown.
      other.viewport.setZoom(camera.zoom);
      other.viewport.setPan(camera.pan);
      other.viewport.render();
    }
  };
  const followWindow = () => {
    if (!on || !leader) return;
    const { voiRange } = leader.viewport.getProperties();
    if (!voiRange) return;
    const modalities = viewers.map((viewer) => ({ viewer, modality: viewer.series.modality }));
    const lead = modalities.find((entry) => entry.viewer === leader)!;
    for (const { viewer: other } of windowFollowers(lead, modalities)) {
      const shown = other.viewport.getProperties().voiRange;
      if (shown && shown.lower === voiRange.lower && shown.upper === voiRange.upper) continue;
      other.viewport.setProperties({ voiRange: { ...voiRange } });
      other.viewport.render();
    }
  };
  for (const viewer of viewers) {
    const element = viewer.viewport.element;
    const lead = () => { leader = viewer; };
    for (const event of ['wheel', 'pointerdown', 'focusin', 'keydown']) {
      (element.parentElement ?? element).addEventListener(event, lead, { capture: true });
    }
    element.addEventListener(Enums.Events.STACK_NEW_IMAGE, () => { if (viewer === leader) followSlice(); });
    element.addEventListener(Enums.Events.CAMERA_MODIFIED, () => {
      showCamera(viewer.viewport);
      if (viewer === leader) followCamera();
    });
    element.addEventListener(Enums.Events.VOI_MODIFIED, () => {
      showWindow(viewer.viewport);
      if (viewer === leader) followWindow();
    });
    showCamera(viewer.viewport);
    showWindow(viewer.viewport);
  }
  return (enabled) => {
    on = enabled;
    followSlice();
    followCamera();
    followWindow();
  };
}
