// Window/level presets (centre, width in Hounsfield units for CT); MR has no fixed scale, so "auto" windows it on the
// image's own range.

export interface WindowLevel {
  center: number;
  width: number;
}

export interface Preset {
  key: string;
  label: string;
  /** Null: computed from the image (auto). */
  window: WindowLevel | null;
}

export const ctPresets: Preset[] = [
  { key: 'brain', label: 'CT brain', window: { center: 40, width: 80 } },
  { key: 'abdomen', label: 'CT abdomen', window: { center: 40, width: 400 } },
  { key: 'bone', label: 'CT bone', window: { center: 300, width: 1500 } },
];

export const autoPreset: Preset = { key: 'auto', label: 'Auto', window: null };

export function presetsFor(modality: string): Preset[] {
  return modality === 'CT' ? [...ctPresets, autoPreset] : [autoPreset];
}

/** The window covering an image's range, clipped to its 1st–99th percentile so a few bright voxels do not flatten it. */
export function autoWindow(pixels: ArrayLike<number>): WindowLevel {
  if (pixels.length === 0) return { center: 0, width: 1 };
  const sorted = Float64Array.from(pixels).sort();
  const low = sorted[Math.floor((sorted.length - 1) * 0.01)];
  const high = sorted[Math.ceil((sorted.length - 1) * 0.99)];
  const width = Math.max(high - low, 1);
  return { center: low + width / 2, width };
}

/** Cornerstone's VOI range for a window. */
export function toRange(window: WindowLevel): { lower: number; upper: number } {
  return { lower: window.center - window.width / 2, upper: window.center + window.width / 2 };
}
