import { describe, expect, it } from 'vitest';
import { dragTolerancePx, handOverMove, heldForMs, type ViewportClick } from '../src/viewer/pendingClick';

const element = {} as Element;
const click = (releasedAt: ViewportClick['releasedAt']): ViewportClick => ({ element, pressedAt: 1000, releasedAt });

describe('handing a held click over', () => {
  it('moves the pointer past the drag tolerance from where the button went up', () => {
    const move = handOverMove(click({ x: 200, y: 150 }), 1100)!;
    expect(Math.abs(move.x - 200) + Math.abs(move.y - 150)).toBeGreaterThan(dragTolerancePx * 2);
  });

  it('does nothing while the button is still down, since a move would be a drag', () => {
    expect(handOverMove(click(null), 1100)).toBeNull();
  });

  it('does nothing once Cornerstone has handed the click over itself', () => {
    expect(handOverMove(click({ x: 200, y: 150 }), 1000 + heldForMs + 1)).toBeNull();
  });

  it('does nothing without a click on a viewport', () => {
    expect(handOverMove(null, 1100)).toBeNull();
  });
});
