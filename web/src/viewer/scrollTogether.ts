// Series side by side scrolled together (the study viewer's "Scroll together"): the slice one viewport moves to is
// shown in the others at the same place in the patient (syncedSlices.ts).

import { Enums } from '@cornerstonejs/core';
import type { StackViewer } from './stackViewer';
import { syncedSlice } from './syncedSlices';

/**
 * Links the viewers' slices; the answer turns the link on or off (on to start). Only the viewport the user works in (the
 * last one scrolled, clicked or focused) leads: the others' own slice changes, which arrive a frame later, are not sent
 * back to it, so a fast scroll is never pulled back to a slice it has left.
 */
export function scrollTogether(viewers: StackViewer[]): (on: boolean) => void {
  let on = true;
  let leader: StackViewer | undefined;
  const follow = () => {
    if (!on || !leader) return;
    const shown = leader.viewport.getCurrentImageIdIndex();
    for (const other of viewers) {
      const target = other === leader ? shown : syncedSlice(leader.series, shown, other.series);
      if (other === leader || other.viewport.getCurrentImageIdIndex() === target) continue;
      // Set in the same turn as the leader's slice counter, so a page (or a test) can tell what followed.
      other.viewport.element.dataset.followed = String(target);
      void other.viewport.setImageIdIndex(target);
    }
  };
  for (const viewer of viewers) {
    const element = viewer.viewport.element;
    const lead = () => { leader = viewer; };
    for (const event of ['wheel', 'pointerdown', 'focusin', 'keydown']) element.addEventListener(event, lead, { capture: true });
    element.addEventListener(Enums.Events.STACK_NEW_IMAGE, () => { if (viewer === leader) follow(); });
  }
  return (enabled) => {
    on = enabled;
    follow();
  };
}
