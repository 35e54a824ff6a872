// The study viewer's reference lines, drawn: in each viewport, an SVG line where every other viewport's shown slice cuts
// its image (referenceLines.ts), redrawn when any of them changes slice and when its own camera moves. Side by side, the
// slices are the stacks' images (series in the same orientation never cut each other, so a brain MRI's four axial
// sequences show none); in the MPR layout, the three views' planes through the one volume.

import { Enums, type Types } from '@cornerstonejs/core';
import { planeOf, referenceLine, volumeReferenceLine, type Segment, type Vector, type VolumeGrid } from './referenceLines';
import type { StackViewer } from './stackViewer';

const svgNamespace = 'http://www.w3.org/2000/svg';
/** A colour per viewport whose slice a line shows, in the order the viewports are laid out. */
const colours = ['#ffd24a', '#4ad2ff', '#7dff6b', '#ff7ad9'];

/** The side-by-side stacks' reference lines; the answer turns them on or off (on to start). */
export function referenceLines(viewers: StackViewer[]): (on: boolean) => void {
  return drawReferenceLines(viewers.map((viewer) => viewer.viewport), [Enums.Events.STACK_NEW_IMAGE], (shown, other) => {
    const [shownViewer, otherViewer] = [shown, other].map((index) => viewers[index]);
    const shownPlane = planeOf(shownViewer.series, shownViewer.viewport.getCurrentImageIdIndex());
    const otherPlane = planeOf(otherViewer.series, otherViewer.viewport.getCurrentImageIdIndex());
    return shownPlane && otherPlane && referenceLine(shownPlane, otherPlane);
  });
}

/** The MPR views' reference lines: where each view's plane through `volume` cuts the others'; the answer turns them on or off. */
export function volumeReferenceLines(viewports: Types.IVolumeViewport[], volume: VolumeGrid): (on: boolean) => void {
  const plane = (viewport: Types.IVolumeViewport) => {
    const { focalPoint, viewPlaneNormal } = viewport.getCamera();
    return { point: [...focalPoint!] as Vector, normal: [...viewPlaneNormal!] as Vector };
  };
  // A view's scroll moves its camera (CAMERA_MODIFIED, which every viewport listens to below).
  return drawReferenceLines(viewports, [], (shown, other) => volumeReferenceLine(plane(viewports[shown]), plane(viewports[other]), volume));
}

/**
 * Draws, over each viewport, the segment `cut(shown, other)` gives for every other viewport (indexes into `viewports`),
 * coloured by the other's place, whenever any viewport renders, moves its camera or sends one of `events`.
 */
function drawReferenceLines(viewports: Pick<Types.IViewport, 'element' | 'worldToCanvas'>[], events: string[], cut: (shown: number, other: number) => Segment | undefined): (on: boolean) => void {
  let on = true;
  const overlays = viewports.map((viewport) => {
    const svg = document.createElementNS(svgNamespace, 'svg');
    svg.classList.add('reference-lines');
    svg.setAttribute('aria-hidden', 'true');
    viewport.element.append(svg);
    return svg;
  });
  const draw = () => {
    viewports.forEach((viewport, shown) => {
      const svg = overlays[shown];
      svg.replaceChildren();
      if (!on) return;
      viewports.forEach((_, source) => {
        const segment = source === shown ? undefined : cut(shown, source);
        if (!segment) return;
        const [[x1, y1], [x2, y2]] = segment.map((end) => viewport.worldToCanvas(end));
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
  return (enabled) => {
    on = enabled;
    draw();
  };
}
