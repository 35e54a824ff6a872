// The preview's picture, computed as Cornerstone's stack viewport shows the same frame (firstImagePreview.ts): where
// the image lies in the canvas and its grey levels under a window.

import type { WindowLevel } from './windowPresets';

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where a `columns` × `rows` image with Pixel Spacing `spacing` ([between rows, between columns]) lies in a canvas of
 * `width` × `height`, as Cornerstone's stack viewport fits it: the whole image, its pixels' aspect kept, as large as fits,
 * centred.
 */
export function fitRectangle(width: number, height: number, columns: number, rows: number, spacing: [number, number]): Rectangle {
  const worldWidth = columns * spacing[1];
  const worldHeight = rows * spacing[0];
  const scale = Math.min(width / worldWidth, height / worldHeight);
  const drawnWidth = worldWidth * scale;
  const drawnHeight = worldHeight * scale;
  return { x: (width - drawnWidth) / 2, y: (height - drawnHeight) / 2, width: drawnWidth, height: drawnHeight };
}

/** RGBA pixels of `values` under `window`: linear from black at its lower end to white at its upper (inverted: white to black). */
export function windowedGrey(values: ArrayLike<number>, window: WindowLevel, inverted = false): Uint8ClampedArray<ArrayBuffer> {
  const lower = window.center - window.width / 2;
  const scale = 255 / Math.max(window.width, Number.EPSILON);
  const rgba = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const grey = Math.min(255, Math.max(0, (values[i] - lower) * scale));
    const shown = inverted ? 255 - grey : grey;
    rgba[i * 4] = shown;
    rgba[i * 4 + 1] = shown;
    rgba[i * 4 + 2] = shown;
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}
