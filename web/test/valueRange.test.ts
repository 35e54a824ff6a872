import { describe, expect, it } from 'vitest';
import { parseValueRange } from '../src/viewer/valueRange';

describe('parseValueRange', () => {
  it('reads two numbers as the range, ends included as typed', () => {
    expect(parseValueRange('40', '200')).toEqual([40, 200]);
    expect(parseValueRange(' -100.5 ', '3e2')).toEqual([-100.5, 300]);
  });

  it('puts the ends in order whichever is typed first', () => {
    expect(parseValueRange('200', '40')).toEqual([40, 200]);
  });

  it('refuses an empty or non-numeric end with what to type', () => {
    for (const [low, high] of [['', '200'], ['40', 'abc'], ['40', 'Infinity']]) {
      const parsed = parseValueRange(low, high);
      expect(parsed).toHaveProperty('error');
      expect((parsed as { error: string }).error).toMatch(/two numbers/);
    }
  });
});
