// The threshold brush's range as the annotator types it: two numbers, either order; anything else is refused with what
// to type, so the brush never paints with a range the annotator did not mean.

export type ValueRange = [low: number, high: number];

export function parseValueRange(low: string, high: string): ValueRange | { error: string } {
  const values = [low, high].map((text) => (text.trim() === '' ? Number.NaN : Number(text)));
  if (values.some((value) => !Number.isFinite(value))) {
    return { error: 'Type the threshold brush\'s range as two numbers (for a CT, Hounsfield units: e.g. 40 to 200).' };
  }
  const [a, b] = values;
  return a <= b ? [a, b] : [b, a];
}
