// The study viewer's reference lines, drawn: in each viewport, an SVG line where every other viewport's shown slice cuts
// its image (referenceLines.ts), redrawn when any of them changes slice and when its own camera moves. Side by side, the
// slices are the stacks' images (series in the same orientation never cut each other, so a brain MRI's four axial
// sequences show none); in the MPR layout, the three views' planes through the one volume, and those lines are
// crosshairs: a left drag that starts on one moves that view's plane (both, where two cross) to follow the mouse.

import { Enums, utilities, type Types } from '@cornerstonejs/core';
import { distanceToSegment, planeOf, referenceLine, slicesToReach, volumeReferenceLine, type Segment, type Vector, type VolumeGrid } from './referenceLines';
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

/**
 * The MPR views' reference lines: where each view's plane through `volume` cuts the others'; the answer turns them on or
 * off. They are crosshairs: a left press within a few pixels of a line starts a drag that scrolls the line's view, a
 * whole slice at a time, so its plane passes through the mouse (a press where two lines cross moves both). The press is
 * taken before Cornerstone's tools see it (a capturing listener), so it does not also window the image; elsewhere the
 * left drag windows as before.
 */
export function volumeReferenceLines(viewports: Types.IVolumeViewport[], volume: VolumeGrid & { volumeId: string }): (on: boolean) => void {
  const plane = (viewport: Types.IVolumeViewport) => {
    const { focalPoint, viewPlaneNormal } = viewport.getCamera();
    return { point: [...focalPoint!] as Vector, normal: [...viewPlaneNormal!] as Vector };
  };
  // A view's scroll moves its camera (CAMERA_MODIFIED, which every viewport listens to below).
  const lines = drawReferenceLines(viewports, [], (shown, other) => volumeReferenceLine(plane(viewports[shown]), plane(viewports[other]), volume));
  viewports.forEach((viewport, shown) => {
    const { element } = viewport;
    const at = (event: MouseEvent): CanvasPoint => {
      const box = element.getBoundingClientRect();
      return [event.clientX - box.left, event.clientY - box.top];
    };
    element.addEventListener('mousemove', (event) => {
      if (element.dataset.crosshairs) return;
      element.style.cursor = lines.near(shown, at(event), grabDistance).length > 0 ? 'move' : '';
    });
    element.addEventListener('mousedown', (event) => {
      const grabbed = event.button === 0 ? lines.near(shown, at(event), grabDistance) : [];
      if (grabbed.length === 0) return;
      event.stopPropagation();
      event.preventDefault();
      element.dataset.crosshairs = 'dragging';
      const move = (moved: MouseEvent) => {
        const through = viewport.canvasToWorld(at(moved)) as Vector;
        for (const source of grabbed) {
          const delta = slicesToReach(plane(viewports[source]), through, volume);
          if (delta !== 0) utilities.scroll(viewports[source] as Types.IViewport, { delta, volumeId: volume.volumeId });
        }
      };
      const end = () => {
        window.removeEventListener('mousemove', move);
        window.removeEventListener('mouseup', end);
        delete element.dataset.crosshairs;
      };
      window.addEventListener('mousemove', move);
      window.addEventListener('mouseup', end);
    }, { capture: true });
  });
  return lines.show;
}

/**
 * Draws, over each viewport, the segment `cut(shown, other)` gives for every other viewport (indexes into `viewports`),
 * coloured by the other's place, whenever any viewport renders, moves its camera or sends one of `events`.
 */
function drawReferenceLines(viewports: Pick<Types.IViewport, 'element' | 'worldToCanvas'>[], events: string[], cut: (shown: number, other: number) => Segment | undefined): DrawnLines {
  let on = true;
  // The lines drawn over each viewport, in its canvas coordinates, for a press to find.
  let drawn: { source: number; ends: [CanvasPoint, CanvasPoint] }[][] = viewports.map(() => []);
  const overlays = viewports.map((viewport) => {
    const svg = document.createElementNS(svgNamespace, 'svg');
    svg.classList.add('reference-lines');
    svg.setAttribute('aria-hidden', 'true');
    viewport.element.append(svg);
    return svg;
  });
  const draw = () => {
    drawn = viewports.map(() => []);
    viewports.forEach((viewport, shown) => {
      const svg = overlays[shown];
      svg.replaceChildren();
      if (!on) return;
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
  };
}
