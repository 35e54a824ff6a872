import { describe, expect, it } from 'vitest';
import { sliceLoadOrder } from '../src/viewer/loadOrder';

describe('the order slices load in', () => {
  it('starts with the slice shown and goes outwards from it', () => {
    expect(sliceLoadOrder(5, 2)).toEqual([2, 3, 1, 4, 0]);
  });

  it('names every slice exactly once wherever the shown slice lies', () => {
    for (const [count, shown] of [[1, 0], [2, 0], [2, 1], [7, 0], [7, 6], [100, 50], [101, 13]]) {
      const order = sliceLoadOrder(count, shown);
      expect(order[0]).toBe(shown);
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, index) => index));
    }
  });

  it('loads nothing of an empty series', () => {
    expect(sliceLoadOrder(0, 0)).toEqual([]);
  });
});
