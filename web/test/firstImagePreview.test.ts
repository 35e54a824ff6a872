import { describe, expect, it } from 'vitest';
import type { DicomJson } from '../src/dicomweb/series';
import { firstPart, frameLayout, modalityValues } from '../src/viewer/nativeFrame';
import { fitRectangle, windowedGrey } from '../src/viewer/previewPicture';

const ct: DicomJson = {
  '00280002': { vr: 'US', Value: [1] },
  '00280004': { vr: 'CS', Value: ['MONOCHROME2'] },
  '00280010': { vr: 'US', Value: [2] },
  '00280011': { vr: 'US', Value: [3] },
  '00280100': { vr: 'US', Value: [16] },
  '00280103': { vr: 'US', Value: [1] },
  '00281052': { vr: 'DS', Value: [-1024] },
  '00281053': { vr: 'DS', Value: [2] },
  '00280030': { vr: 'DS', Value: [0.5, 0.8] },
};

function multipart(boundary: string, body: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(`--${boundary}\r\nContent-Type: application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1\r\n\r\n`);
  const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
  const all = new Uint8Array(head.length + body.length + tail.length);
  all.set(head);
  all.set(body, head.length);
  all.set(tail, head.length + body.length);
  return all;
}

describe('reading a frame for the first image preview', () => {
  it('reads the layout of a signed 16-bit CT with its rescale and pixel spacing', () => {
    expect(frameLayout(ct)).toEqual({
      rows: 2, columns: 3, bitsAllocated: 16, signed: true, slope: 2, intercept: -1024, inverted: false, spacing: [0.5, 0.8],
    });
  });

  it('leaves colour, 32-bit and unknown photometric images to Cornerstone', () => {
    expect(frameLayout({ ...ct, '00280002': { vr: 'US', Value: [3] } })).toBeUndefined();
    expect(frameLayout({ ...ct, '00280100': { vr: 'US', Value: [32] } })).toBeUndefined();
    expect(frameLayout({ ...ct, '00280004': { vr: 'CS', Value: ['PALETTE COLOR'] } })).toBeUndefined();
    expect(frameLayout({ ...ct, '00280010': { vr: 'US', Value: [] } })).toBeUndefined();
  });

  it('takes the single part of a multipart answer, even when its bytes look like a boundary line', () => {
    const pixels = new Uint8Array([13, 10, 45, 45, 1, 2, 3]);
    expect(firstPart(multipart('abc', pixels), 'multipart/related; type="application/octet-stream"; boundary=abc')).toEqual(pixels);
    expect(firstPart(multipart('x-y', pixels), 'multipart/related; boundary="x-y"; type="application/octet-stream"')).toEqual(pixels);
  });

  it('finds no part without a boundary or with a cut-off answer', () => {
    const answer = multipart('abc', new Uint8Array([1, 2]));
    expect(firstPart(answer, 'multipart/related')).toBeUndefined();
    expect(firstPart(answer.subarray(0, answer.length - 10), 'multipart/related; boundary=abc')).toBeUndefined();
  });

  it('applies the modality rescale to signed little endian pixels', () => {
    const bytes = new Uint8Array(12);
    const view = new DataView(bytes.buffer);
    [0, 1, -1, 512, 1000, -32768].forEach((value, i) => view.setInt16(i * 2, value, true));
    expect(Array.from(modalityValues(bytes, frameLayout(ct)!)!)).toEqual([-1024, -1022, -1026, 0, 976, -66560]);
  });

  it('reads unsigned 8-bit pixels and refuses too few bytes', () => {
    const layout = { ...frameLayout(ct)!, bitsAllocated: 8 as const, signed: false, slope: 1, intercept: 0 };
    expect(Array.from(modalityValues(new Uint8Array([0, 255, 128, 1, 2, 3]), layout)!)).toEqual([0, 255, 128, 1, 2, 3]);
    expect(modalityValues(new Uint8Array(5), layout)).toBeUndefined();
  });
});

describe('the first image preview picture', () => {
  it('fits a square image to the height of a wide canvas, centred', () => {
    expect(fitRectangle(800, 500, 100, 100, [1, 1])).toEqual({ x: 150, y: 0, width: 500, height: 500 });
  });

  it('fits a wide image to the width of a tall canvas', () => {
    expect(fitRectangle(300, 600, 10, 6, [1, 1])).toEqual({ x: 0, y: 210, width: 300, height: 180 });
  });

  it('keeps the pixel spacing aspect: rows twice as far apart make the image twice as tall', () => {
    const place = fitRectangle(1000, 1000, 10, 10, [2, 1]);
    expect(place).toEqual({ x: 250, y: 0, width: 500, height: 1000 });
  });

  it('windows linearly from black at the lower end to white at the upper, clipping outside', () => {
    const rgba = windowedGrey([-200, -160, -80, 240, 500], { center: 40, width: 400 });
    expect(Array.from(rgba.filter((_, i) => i % 4 === 0))).toEqual([0, 0, 51, 255, 255]);
    expect(Array.from(rgba.subarray(8, 12))).toEqual([51, 51, 51, 255]);
  });

  it('shows MONOCHROME1 inverted', () => {
    expect(Array.from(windowedGrey([0, 100], { center: 50, width: 100 }, true).filter((_, i) => i % 4 === 0))).toEqual([255, 0]);
  });
});
