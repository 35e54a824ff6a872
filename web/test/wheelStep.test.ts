import { describe, expect, it } from 'vitest';
import { wheelStep } from '../src/viewer/wheelStep';
// The rule the tools apply once they are loaded (their wheel listener: no step below a pixel, then the sign of spinY).
// (a file of the package that its exports do not list: imported by path)
import normalizeWheel from '../node_modules/@cornerstonejs/tools/dist/esm/eventListeners/wheel/normalizeWheel.js';

const toolsStep = (event: { deltaY: number; deltaMode: number; wheelDeltaY?: number }) =>
  event.deltaY > -1 && event.deltaY < 1 ? 0 : (normalizeWheel(event).spinY < 0 ? -1 : 1);

describe('a wheel event before the tools are loaded', () => {
  it('moves one slice down the stack for a notch down and one up for a notch up', () => {
    expect(wheelStep(120)).toBe(1);
    expect(wheelStep(-120)).toBe(-1);
  });

  it('moves one slice whatever the size of the event', () => {
    expect([1, 3, 53, 100, 800, 2400].map(wheelStep)).toEqual([1, 1, 1, 1, 1, 1]);
    expect([-1, -3, -53, -100, -800, -2400].map(wheelStep)).toEqual([-1, -1, -1, -1, -1, -1]);
  });

  it('does nothing below a pixel', () => {
    expect([0, 0.5, -0.5, 0.99, -0.99, Number.NaN].map(wheelStep)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('moves as the tools move the stack once they are loaded, a mouse notch, lines, pages or a touchpad\'s pixels', () => {
    const events = [
      { deltaY: 120, deltaMode: 0, wheelDeltaY: -120 }, // Chromium's mouse notch
      { deltaY: -120, deltaMode: 0, wheelDeltaY: 120 },
      { deltaY: 3, deltaMode: 1 }, // lines (Firefox)
      { deltaY: -3, deltaMode: 1 },
      { deltaY: 1, deltaMode: 2 }, // pages
      { deltaY: 4.5, deltaMode: 0 }, // a touchpad
      { deltaY: -1, deltaMode: 0 },
      { deltaY: 0.4, deltaMode: 0 },
      { deltaY: -0.4, deltaMode: 0 },
    ];
    expect(events.map((event) => wheelStep(event.deltaY))).toEqual(events.map(toolsStep));
  });
});
