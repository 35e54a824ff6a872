// Cornerstone's tools hold a click on a viewport for 0.4 s, waiting to see whether a second click makes it a double
// click, and only then hand it to the tool (a brush paints its dab then). A press anywhere else in that time (Save,
// say) makes them drop the held click, and a key (Ctrl+S) acts before the dab is painted. Labelling has no use for a
// double click, so before any other press or key reaches the page the held click is handed over at once: a pointer
// move of a few pixels is what makes Cornerstone stop waiting (it takes a move past its 3-pixel tolerance for the start
// of a drag), so the dab is painted where the click was and the move only shows the brush's outline moved.

/** How long Cornerstone holds a click, and how far the pointer may move before it counts as a drag. */
export const heldForMs = 400;
export const dragTolerancePx = 3;

export interface ViewportClick {
  element: Element;
  pressedAt: number;
  /** Where the button went up (client pixels); null while it is still down. */
  releasedAt: { x: number; y: number } | null;
}

/**
 * Where to move the pointer so that Cornerstone hands the held click over, or null when there is nothing held: no
 * click, the button still down (a move would be a drag), or the click older than the wait.
 */
export function handOverMove(click: ViewportClick | null, now: number): { x: number; y: number } | null {
  if (!click?.releasedAt || now - click.pressedAt > heldForMs) return null;
  const step = dragTolerancePx + 1;
  return { x: click.releasedAt.x + step, y: click.releasedAt.y + step };
}

let installed = false;

/** From now on, a press or key that follows a click on a viewport hands the click to the tool first (once per page). */
export function handOverHeldClicks(): void {
  if (installed) return;
  installed = true;
  let last: ViewportClick | null = null;
  const handOver = () => {
    const move = handOverMove(last, performance.now());
    if (!move || !last) return;
    const { element } = last;
    last = null;
    element.dispatchEvent(new MouseEvent('mousemove', { clientX: move.x, clientY: move.y, bubbles: true }));
  };
  document.addEventListener(
    'mousedown',
    (event) => {
      handOver();
      const element = (event.target as Element | null)?.closest?.('[data-viewport-uid]');
      last = element && event.button === 0 ? { element, pressedAt: performance.now(), releasedAt: null } : null;
    },
    true,
  );
  document.addEventListener(
    'mouseup',
    (event) => {
      if (last && !last.releasedAt) last.releasedAt = { x: event.clientX, y: event.clientY };
    },
    true,
  );
  document.addEventListener('keydown', handOver, true);
}
