// The study viewer's reference lines, drawn: in each viewport, an SVG line where every other viewport's shown slice cuts
// its image (referenceLines.ts), redrawn when any of them changes slice and when its own camera moves. Side by side, the
// slices are the stacks' images (series in the same orientation never cut each other, so a brain MRI's four axial
// sequences show none); in the MPR layout, the three views' planes through the one volume, and those lines are
// crosshairs: a left drag that starts on one moves that view's plane (both, where two cross) to follow the mouse, and
// on /viewer a drag on a line's round handle turns the other two planes (oblique MPR, obliquePlanes.ts).

import { Enums, utilities, type Types } from '@cornerstonejs/core';
import { angleAbout, cameraThrough, crossingPoint, turnCamera, type PlaneCamera } from './obliquePlanes';
import { distanceToSegment, planeOf, referenceLine, slicesToReach, volumeReferenceLine, type Segment, type SlicePlane, type Vector, type VolumeGrid } from './referenceLines';
import type { StackViewer } from './stackViewer';

const svgNamespace = 'http://www.w3.org/2000/svg';
/** A colour per viewport whose slice a line shows, in the order the viewports are laid out. */
const colours = ['#ffd24a', '#4ad2ff', '#7dff6b', '#ff7ad9'];
/** How near a line (canvas pixels) a press grabs it: a line is drawn 1.5 pixels wide. */
const grabDistance = 6;

type CanvasPoint = [number, number];

interface DrawnLines {
  /** Turns the lines on or off (on to start). */
  show(on: boolean): void;
  /** The viewports whose lines over viewport `shown` pass within `distance` of `point` (canvas pixels). */
  near(shown: number, point: CanvasPoint, distance: number): number[];
  /** Whether a turning handle over viewport `shown` lies within `distance` of `point` (canvas pixels). */
  handleNear(shown: number, point: CanvasPoint, distance: number): boolean;
}

/** The side-by-side stacks' reference lines; the answer turns them on or off (on to start). */
export function referenceLines(viewers: StackViewer[]): (on: boolean) => void {
  return drawReferenceLines(viewers.map((viewer) => viewer.viewport), [Enums.Events.STACK_NEW_IMAGE], (shown, other) => {
    const [shownViewer, otherViewer] = [shown, other].map((index) => viewers[index]);
    const shownPlane = planeOf(shownViewer.series, shownViewer.viewport.getCurrentImageIdIndex());
    const otherPlane = planeOf(otherViewer.series, otherViewer.viewport.getCurrentImageIdIndex());
    return shownPlane && otherPlane && referenceLine(shownPlane, otherPlane);
  }).show;
}

/** The MPR views' crosshairs, as the viewer drives them. */
export interface Crosshairs {
  /** Turns the lines (and handles) on or off (on to start). */
  show(on: boolean): void;
  /** Turns the other two views' planes by `angle` (radians) about view `shown`'s normal through the point the three meet. */
  turn(shown: number, angle: number): void;
  /** Puts the views' planes back to the orientations they opened with, through the point the three meet. */
  reset(): void;
  /** Where the three views' planes meet (mm); none where two of them are parallel. */
  crossingPoint(): Vector | undefined;
}

/** The plane a volume view shows: its camera's focal point and view-plane normal. */
export function viewPlane(viewport: Types.IVolumeViewport): SlicePlane {
  const { focalPoint, viewPlaneNormal } = viewport.getCamera();
  return { point: [...focalPoint!] as Vector, normal: [...viewPlaneNormal!] as Vector };
}

/**
 * The MPR views' reference lines: where each view's plane through `volume` cuts the others'. They are crosshairs: a left
 * press within a few pixels of a line starts a drag that scrolls the line's view, a whole slice at a time, so its plane
 * passes through the mouse (a press where two lines cross moves both). With `turnable`, each line has a round handle
 * near each end, and a drag that starts on one turns the other two views' planes about this view's normal through the
 * point the three planes meet (oblique planes, as in OHIF or 3D Slicer). The press is taken before Cornerstone's tools
 * see it (a capturing listener), so it does not also window the image; elsewhere the left drag windows as before.
 */
export function volumeReferenceLines(viewports: Types.IVolumeViewport[], volume: VolumeGrid & { volumeId: string }, turnable = false): Crosshairs {
  const camera = (viewport: Types.IVolumeViewport): PlaneCamera => {
    const { focalPoint, position, viewPlaneNormal, viewUp } = viewport.getCamera();
    return { focalPoint: [...focalPoint!], position: [...position!], viewPlaneNormal: [...viewPlaneNormal!], viewUp: [...viewUp!] } as PlaneCamera;
  };
  const opened = viewports.map(camera);
  const centre = () => crossingPoint(viewports.map(viewPlane) as [SlicePlane, SlicePlane, SlicePlane]);
  // A view's scroll moves its camera (CAMERA_MODIFIED, which every viewport listens to below).
  const lines = drawReferenceLines(viewports, [], (shown, other) => volumeReferenceLine(viewPlane(viewports[shown]), viewPlane(viewports[other]), volume),
    turnable ? (shown) => { const point = centre(); return point && viewports[shown].worldToCanvas(point); } : undefined);
  const turnAbout = (shown: number, point: Vector, angle: number) => {
    const axis = viewPlane(viewports[shown]).normal;
    viewports.forEach((other, index) => {
      if (index === shown || angle === 0) return;
      other.setCamera(turnCamera(camera(other), axis, point, angle));
      other.render();
    });
  };
  viewports.forEach((viewport, shown) => {
    const { element } = viewport;
    const at = (event: MouseEvent): CanvasPoint => {
      const box = element.getBoundingClientRect();
      return [event.clientX - box.left, event.clientY - box.top];
    };
    const drag = (onMove: (moved: MouseEvent) => void) => {
      const end = () => {
        window.removeEventListener('mousemove', onMove);
        window.removeEventListener('mouseup', end);
        delete element.dataset.crosshairs;
        element.style.cursor = '';
      };
      window.addEventListener('mousemove', onMove);
      window.addEventListener('mouseup', end);
    };
    element.addEventListener('mousemove', (event) => {
      if (element.dataset.crosshairs) return;
      const point = at(event);
      element.style.cursor = lines.handleNear(shown, point, grabDistance + 2) ? 'grab' : lines.near(shown, point, grabDistance).length > 0 ? 'move' : '';
    });
    element.addEventListener('mousedown', (event) => {
      if (event.button !== 0) return;
      const turning = lines.handleNear(shown, at(event), grabDistance + 2);
      const grabbed = turning ? [] : lines.near(shown, at(event), grabDistance);
      const point = turning ? centre() : undefined;
      if (!point && grabbed.length === 0) return;
      event.stopPropagation();
      event.preventDefault();
      if (point) {
        element.dataset.crosshairs = 'turning';
        element.style.cursor = 'grabbing';
        let last = viewport.canvasToWorld(at(event)) as Vector;
        const axis = viewPlane(viewport).normal;
        drag((moved) => {
          const now = viewport.canvasToWorld(at(moved)) as Vector;
          turnAbout(shown, point, angleAbout(point, last, now, axis));
          last = now;
        });
        return;
      }
      element.dataset.crosshairs = 'dragging';
      drag((moved) => {
        const through = viewport.canvasToWorld(at(moved)) as Vector;
        for (const source of grabbed) {
          const delta = slicesToReach(viewPlane(viewports[source]), through, volume);
          if (delta !== 0) utilities.scroll(viewports[source] as Types.IViewport, { delta, volumeId: volume.volumeId });
        }
      });
    }, { capture: true });
  });
  return {
    show: lines.show,
    crossingPoint: centre,
    turn(shown, angle) {
      const point = centre();
      if (point) turnAbout(shown, point, angle);
    },
    reset() {
      const point = centre();
      viewports.forEach((viewport, index) => {
        viewport.setCamera(point ? cameraThrough(opened[index], point) : opened[index]);
        viewport.render();
      });
    },
  };
}

/**
 * Draws, over each viewport, the segment `cut(shown, other)` gives for every other viewport (indexes into `viewports`),
 * coloured by the other's place, whenever any viewport renders, moves its camera or sends one of `events`. With
 * `crossing` (where the lines over a viewport meet, canvas pixels), each line gets a round handle three quarters of the
 * way from there to each of its ends.
 */
function drawReferenceLines(viewports: Pick<Types.IViewport, 'element' | 'worldToCanvas'>[], events: string[],
  cut: (shown: number, other: number) => Segment | undefined, crossing?: (shown: number) => Types.Point2 | undefined): DrawnLines {
  let on = true;
  // The lines and handles drawn over each viewport, in its canvas coordinates, for a press to find.
  let drawn: { source: number; ends: [CanvasPoint, CanvasPoint] }[][] = viewports.map(() => []);
  let handles: CanvasPoint[][] = viewports.map(() => []);
  const overlays = viewports.map((viewport) => {
    const svg = document.createElementNS(svgNamespace, 'svg');
    svg.classList.add('reference-lines');
    svg.setAttribute('aria-hidden', 'true');
    viewport.element.append(svg);
    return svg;
  });
  const draw = () => {
    drawn = viewports.map(() => []);
    handles = viewports.map(() => []);
    viewports.forEach((viewport, shown) => {
      const svg = overlays[shown];
      svg.replaceChildren();
      if (!on) return;
      const centre = crossing?.(shown);
      viewports.forEach((_, source) => {
        const segment = source === shown ? undefined : cut(shown, source);
        if (!segment) return;
        const [[x1, y1], [x2, y2]] = segment.map((end) => viewport.worldToCanvas(end));
        drawn[shown].push({ source, ends: [[x1, y1], [x2, y2]] });
        const line = document.createElementNS(svgNamespace, 'line');
        Object.entries({ x1, y1, x2, y2 }).forEach(([name, value]) => line.setAttribute(name, value.toFixed(1)));
        line.setAttribute('stroke', colours[source % colours.length]);
        // Which viewport's slice the line shows (its place in the layout), for a reader of the page or a test.
        line.dataset.source = String(source);
        svg.append(line);
        if (!centre) return;
        for (const [x, y] of [[x1, y1], [x2, y2]]) {
          // Too near the crossing to turn anything by (a plane moved to the volume's edge): no handle.
          if (Math.hypot(x - centre[0], y - centre[1]) < 40) continue;
          const handle: CanvasPoint = [centre[0] + 0.75 * (x - centre[0]), centre[1] + 0.75 * (y - centre[1])];
          handles[shown].push(handle);
          const circle = document.createElementNS(svgNamespace, 'circle');
          Object.entries({ cx: handle[0], cy: handle[1], r: 5 }).forEach(([name, value]) => circle.setAttribute(name, value.toFixed(1)));
          circle.setAttribute('stroke', colours[source % colours.length]);
          circle.classList.add('turn-handle');
          circle.dataset.source = String(source);
          svg.append(circle);
        }
      });
    });
  };
  for (const viewport of viewports) {
    for (const event of [...events, Enums.Events.CAMERA_MODIFIED, Enums.Events.IMAGE_RENDERED]) {
      viewport.element.addEventListener(event, draw);
    }
  }
  draw();
  return {
    show(enabled) {
      on = enabled;
      draw();
    },
    near: (shown, point, distance) => drawn[shown].filter((line) => distanceToSegment(point, ...line.ends) <= distance).map((line) => line.source),
    handleNear: (shown, point, distance) => handles[shown].some(([x, y]) => Math.hypot(point[0] - x, point[1] - y) <= distance),
  };
}
