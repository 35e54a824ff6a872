// What one wheel event does to a viewer before Cornerstone's tools are loaded (toolsLoader.ts): what StackScrollTool does
// once they are, so the wheel feels the same either side of their arrival. Pure, so the viewer and its tests share it.

/**
 * The slices one wheel event moves: one, towards the end of the stack when the wheel turns down (deltaY > 0), towards
 * its start when up, whatever the event's size (a notch, a line or a touchpad's pixels); none below a pixel, which the
 * tools ignore too.
 */
export function wheelStep(deltaY: number): -1 | 0 | 1 {
  if (!(Math.abs(deltaY) >= 1)) return 0;
  return deltaY < 0 ? -1 : 1;
}
