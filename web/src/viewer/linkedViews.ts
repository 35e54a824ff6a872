// What "Scroll together" carries besides the slice: zoom and pan as a camera relative to each viewport (series of other
// sizes show the same magnification of their own fitted image and the same shift of it), and window width/level between
// series of the same modality only (a CT window means nothing on an MR). Pure, so the viewer and its tests share it.

export type Pan = [number, number];

/** A zoom and pan that any viewport can take: zoom relative to its fitted image, pan as a fraction of its canvas. */
export interface RelativeCamera {
  zoom: number;
  pan: Pan;
}

export interface CanvasSize {
  width: number;
  height: number;
}

/** The leader's camera (Cornerstone's getZoom, and getPan in canvas pixels) relative to its canvas. */
export function relativeCamera(zoom: number, pan: Pan, canvas: CanvasSize): RelativeCamera {
  return { zoom, pan: [canvas.width > 0 ? pan[0] / canvas.width : 0, canvas.height > 0 ? pan[1] / canvas.height : 0] };
}

/** The zoom and pan (canvas pixels) that show `relative` on a viewport whose canvas is `canvas`. */
export function cameraOn(relative: RelativeCamera, canvas: CanvasSize): { zoom: number; pan: Pan } {
  return { zoom: relative.zoom, pan: [relative.pan[0] * canvas.width, relative.pan[1] * canvas.height] };
}

/** Whether a follower already shows (to a hundredth of a pixel, a thousandth of the zoom) what it would be given: then it is left alone. */
export function sameCamera(a: { zoom: number; pan: Pan }, b: { zoom: number; pan: Pan }): boolean {
  return Math.abs(a.zoom - b.zoom) < 1e-3 && Math.abs(a.pan[0] - b.pan[0]) < 1e-2 && Math.abs(a.pan[1] - b.pan[1]) < 1e-2;
}

/** The viewers whose window width/level follows the leader's: those of the leader's modality, the leader excepted. */
export function windowFollowers<T extends { modality: string }>(leader: T, viewers: T[]): T[] {
  return viewers.filter((viewer) => viewer !== leader && viewer.modality !== '' && viewer.modality === leader.modality);
}
