import { describe, expect, it } from 'vitest';
import { toolKeys } from '../src/viewer/labelTools';
import { layoutKey } from '../src/pages/annotateLayout';

describe("the labelling toolbar's keys", () => {
  it('select a different tool each, every tool of the toolbar among them', () => {
    const tools = Object.values(toolKeys);

    expect(new Set(tools).size).toBe(tools.length);
    expect(new Set(tools)).toEqual(new Set(['navigate', 'brush', 'threshold', 'scissors', 'circle', 'sphere', 'eraser']));
  });

  it('are single lower-case letters, so Ctrl+S, Ctrl+Z and Ctrl+Y stay save, undo and redo', () => {
    expect(Object.keys(toolKeys).every((key) => /^[a-z]$/.test(key))).toBe(true);
    expect(toolKeys).toMatchObject({ c: 'circle', s: 'sphere', r: 'scissors' });
  });

  it("leave M to the annotator workspace's switch between the Stack and MPR layouts", () => {
    expect(layoutKey).toBe('m');
    expect(Object.keys(toolKeys)).not.toContain(layoutKey);
  });
});
