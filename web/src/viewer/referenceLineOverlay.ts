// The study viewer's reference lines, drawn: in each side-by-side viewport, an SVG line where every other viewport's
// shown slice cuts its image (referenceLines.ts), redrawn when any of them changes slice and when its own camera moves.
// Series in the same orientation never cut each other, so a brain MRI's four axial sequences show none.

import { Enums } from '@cornerstonejs/core';
import { planeOf, referenceLine } from './referenceLines';
import type { StackViewer } from './stackViewer';

const svgNamespace = 'http://www.w3.org/2000/svg';
/** A colour per viewport whose slice a line shows, in the order the viewports are laid out. */
const colours = ['#ffd24a', '#4ad2ff', '#7dff6b', '#ff7ad9'];

/** Draws the viewers' reference lines; the answer turns them on or off (on to start). */
export function referenceLines(viewers: StackViewer[]): (on: boolean) => void {
  let on = true;
  const overlays = viewers.map((viewer) => {
    const svg = document.createElementNS(svgNamespace, 'svg');
    svg.classList.add('reference-lines');
    svg.setAttribute('aria-hidden', 'true');
    viewer.viewport.element.append(svg);
    return svg;
  });
  const draw = () => {
    viewers.forEach((viewer, index) => {
      const svg = overlays[index];
      svg.replaceChildren();
      if (!on) return;
      const shown = planeOf(viewer.series, viewer.viewport.getCurrentImageIdIndex());
      viewers.forEach((other, source) => {
        const cut = other === viewer || !shown ? undefined : planeOf(other.series, other.viewport.getCurrentImageIdIndex());
        const segment = cut && referenceLine(shown!, cut);
        if (!segment) return;
        const [[x1, y1], [x2, y2]] = segment.map((end) => viewer.viewport.worldToCanvas(end));
        const line = document.createElementNS(svgNamespace, 'line');
        Object.entries({ x1, y1, x2, y2 }).forEach(([name, value]) => line.setAttribute(name, value.toFixed(1)));
        line.setAttribute('stroke', colours[source % colours.length]);
        // Which viewport's slice the line shows (its place in the layout), for a reader of the page or a test.
        line.dataset.source = String(source);
        svg.append(line);
      });
    });
  };
  for (const viewer of viewers) {
    for (const event of [Enums.Events.STACK_NEW_IMAGE, Enums.Events.CAMERA_MODIFIED, Enums.Events.IMAGE_RENDERED]) {
      viewer.viewport.element.addEventListener(event, draw);
    }
  }
  draw();
  return (enabled) => {
    on = enabled;
    draw();
  };
}
