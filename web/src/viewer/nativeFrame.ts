// A frame as native little endian pixels, read without Cornerstone (the first image's preview, firstImagePreview.ts):
// the archive's WADO-RS answer for one frame (multipart/related, one part) and the pixel values it holds, with the
// modality rescale applied. The archive decodes compressed frames it has a codec for when asked for native pixels, so
// the browser never decodes RLE or JPEG here.

import { numbers, text, type DicomJson } from '../dicomweb/series';

const Tags = {
  SamplesPerPixel: '00280002',
  PhotometricInterpretation: '00280004',
  Rows: '00280010',
  Columns: '00280011',
  BitsAllocated: '00280100',
  PixelRepresentation: '00280103',
  RescaleIntercept: '00281052',
  RescaleSlope: '00281053',
  PixelSpacing: '00280030',
} as const;

/** What the preview needs of an instance's metadata to read and show its frame. */
export interface FrameLayout {
  rows: number;
  columns: number;
  bitsAllocated: 8 | 16;
  signed: boolean;
  slope: number;
  intercept: number;
  /** MONOCHROME1: the lowest value is shown white. */
  inverted: boolean;
  /** Pixel Spacing: [between rows, between columns] in mm. */
  spacing: [number, number];
}

/** The layout of a single-sample greyscale instance of 8 or 16 bits, or undefined for anything else (colour, 32 bits). */
export function frameLayout(instance: DicomJson): FrameLayout | undefined {
  const [rows] = numbers(instance, Tags.Rows);
  const [columns] = numbers(instance, Tags.Columns);
  const [bitsAllocated] = numbers(instance, Tags.BitsAllocated);
  const samples = numbers(instance, Tags.SamplesPerPixel)[0] ?? 1;
  const photometric = text(instance, Tags.PhotometricInterpretation) || 'MONOCHROME2';
  if (!(rows > 0 && columns > 0) || (bitsAllocated !== 8 && bitsAllocated !== 16) || samples !== 1) return undefined;
  if (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2') return undefined;
  const spacing = numbers(instance, Tags.PixelSpacing);
  return {
    rows,
    columns,
    bitsAllocated,
    signed: (numbers(instance, Tags.PixelRepresentation)[0] ?? 0) === 1,
    slope: numbers(instance, Tags.RescaleSlope)[0] ?? 1,
    intercept: numbers(instance, Tags.RescaleIntercept)[0] ?? 0,
    inverted: photometric === 'MONOCHROME1',
    spacing: spacing.length === 2 && spacing[0] > 0 && spacing[1] > 0 ? [spacing[0], spacing[1]] : [1, 1],
  };
}

/** The body of a multipart/related answer's first part, or undefined when `contentType` names no boundary or it is not found. */
export function firstPart(body: Uint8Array, contentType: string): Uint8Array | undefined {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return undefined;
  const delimiter = ascii(`--${boundary}`);
  const start = indexOf(body, delimiter, 0);
  if (start < 0) return undefined;
  const headersEnd = indexOf(body, ascii('\r\n\r\n'), start + delimiter.length);
  if (headersEnd < 0) return undefined;
  const end = indexOf(body, ascii(`\r\n--${boundary}`), headersEnd + 4);
  return end < 0 ? undefined : body.subarray(headersEnd + 4, end);
}

/**
 * The frame's values after the modality rescale (Hounsfield units for CT), row by row, or undefined when the bytes are
 * not one frame of `layout`.
 */
export function modalityValues(bytes: Uint8Array, layout: FrameLayout): Float32Array | undefined {
  const count = layout.rows * layout.columns;
  if (bytes.length < count * (layout.bitsAllocated / 8)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const stored = layout.bitsAllocated === 8
      ? (layout.signed ? view.getInt8(i) : view.getUint8(i))
      : (layout.signed ? view.getInt16(i * 2, true) : view.getUint16(i * 2, true));
    values[i] = stored * layout.slope + layout.intercept;
  }
  return values;
}

function ascii(value: string): Uint8Array {
  return Uint8Array.from(value, (c) => c.charCodeAt(0));
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
