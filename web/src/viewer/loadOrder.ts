// The order a stack's slices are fetched in: the slice shown first, then outwards from it, nearer slices before
// farther ones, so that scrolling from the first image finds its neighbours already loaded.

/** Every index of `count` slices once, `shown` first, then alternately after and before it, nearest first. */
export function sliceLoadOrder(count: number, shown: number): number[] {
  const order: number[] = [];
  if (count <= 0) return order;
  const first = Math.min(Math.max(shown, 0), count - 1);
  order.push(first);
  for (let step = 1; order.length < count; step++) {
    if (first + step < count) order.push(first + step);
    if (first - step >= 0) order.push(first - step);
  }
  return order;
}

/** The slice a stack of `count` slices shows first: the middle one. */
export function shownSlice(count: number): number {
  return Math.floor(count / 2);
}
