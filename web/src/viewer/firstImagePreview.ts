// The first image without Cornerstone: the shown slice's frame fetched as native pixels (nativeFrame.ts), windowed as
// the viewer's Auto preset windows it (windowPresets.ts) and drawn on a 2D canvas laid over the viewport where
// Cornerstone's stack viewport will draw it (previewPicture.ts). It costs no WebGL and needs none of Cornerstone's code,
// so on /viewer it is drawn while that code is still loading (viewerPrefetch.ts asks for the frame as soon as the
// metadata is sorted). Cornerstone's first image with the same window replaces it (handOver); until then the canvas
// lets the mouse through to the viewport. A frame the archive cannot send as native pixels, or an instance the preview
// does not read (colour, 32 bits), draws no preview: the viewer then waits for Cornerstone, as without one.

import { frameImageId, type DicomJson } from '../dicomweb/series';
import { firstPart, frameLayout, modalityValues, type FrameLayout } from './nativeFrame';
import { fitRectangle, windowedGrey } from './previewPicture';
import { autoWindow } from './windowPresets';

export interface PreviewFrame {
  layout: FrameLayout;
  values: Float32Array;
}

const nativeLittleEndian = 'multipart/related; type="application/octet-stream"; transfer-syntax=1.2.840.10008.1.2.1';

/** The instance's frame 1 as modality values, or undefined when the archive or the preview cannot give it (never fails). */
export async function fetchPreviewFrame(base: string, instance: DicomJson): Promise<PreviewFrame | undefined> {
  try {
    const layout = frameLayout(instance);
    if (!layout) return undefined;
    const response = await fetch(frameImageId(base, instance).slice('wadors:'.length),
      { credentials: 'same-origin', headers: { Accept: nativeLittleEndian } });
    if (!response.ok) return undefined;
    const part = firstPart(new Uint8Array(await response.arrayBuffer()), response.headers.get('Content-Type') ?? '');
    const values = part && modalityValues(part, layout);
    return values ? { layout, values } : undefined;
  } catch {
    return undefined; // the viewer reports what fails when Cornerstone loads the same frame
  }
}

export interface FirstImagePreview {
  /** Cornerstone has drawn the image: the preview goes (and is never drawn if its frame comes later). */
  handOver(): void;
}

/**
 * Draws `frame` over `viewport` once it arrives, and marks `cl2:first-image` (the benchmark's mark) in the animation
 * frame that shows it, unless Cornerstone was first.
 */
export function showFirstImage(viewport: HTMLElement, frame: Promise<PreviewFrame | undefined>): FirstImagePreview {
  const canvas = document.createElement('canvas');
  canvas.className = 'first-image-preview';
  canvas.setAttribute('aria-hidden', 'true');
  let handedOver = false;
  void frame.then((shown) => {
    if (!shown || handedOver || !viewport.isConnected) return;
    const { layout, values } = shown;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(viewport.clientWidth * ratio);
    canvas.height = Math.round(viewport.clientHeight * ratio);
    const picture = document.createElement('canvas');
    picture.width = layout.columns;
    picture.height = layout.rows;
    picture.getContext('2d')!.putImageData(
      new ImageData(windowedGrey(values, autoWindow(values), layout.inverted), layout.columns, layout.rows), 0, 0);
    const context = canvas.getContext('2d')!;
    context.imageSmoothingEnabled = true; // bilinear, as the viewport's linear interpolation
    const place = fitRectangle(canvas.width, canvas.height, layout.columns, layout.rows, layout.spacing);
    context.drawImage(picture, place.x, place.y, place.width, place.height);
    viewport.append(canvas);
    viewport.dataset.preview = 'shown';
    requestAnimationFrame(() => {
      if (!handedOver && performance.getEntriesByName('cl2:first-image').length === 0) performance.mark('cl2:first-image');
    });
  });
  return {
    handOver() {
      handedOver = true;
      if (canvas.isConnected) {
        canvas.remove();
        viewport.dataset.preview = 'handed-over';
      }
    },
  };
}
