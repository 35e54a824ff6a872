// One label painted over several series that lie on one grid (a brain MRI's four sequences side by side): each viewer has
// its own labelmap (Cornerstone's stack labelmaps are images derived from the viewer's own images), and a stroke, an
// undo or a redo on any of them is copied to the others, so all show the same voxels. Loaded with import() like
// labelmap.ts, as it needs Cornerstone's tools.

import { eventTarget } from '@cornerstonejs/core';
import { Enums as ToolEnums } from '@cornerstonejs/tools';
import type { Labelmap } from './labelmap';

export interface LinkedLabelmap extends Labelmap {
  /** Stops copying between the labelmaps (their viewers are closing). */
  unlink(): void;
}

export function linkLabelmaps(labelmaps: Labelmap[]): LinkedLabelmap {
  const [first] = labelmaps;
  let shared = first.voxels();
  let copying = false;
  let scheduled = false;
  const changed = new Set<Labelmap>();
  // What changed on each labelmap since the last copy (a stroke, or an undo or redo of one) goes into the shared voxels,
  // so two strokes on two series before a copy are both kept; then every labelmap gets the shared voxels.
  const copyChanges = () => {
    scheduled = false;
    if (changed.size === 0) return;
    const merged = shared.slice();
    for (const labelmap of changed) {
      const voxels = labelmap.voxels();
      voxels.forEach((value, index) => { if (value !== shared[index]) merged[index] = value; });
    }
    changed.clear();
    shared = merged;
    copying = true;
    try {
      for (const labelmap of labelmaps) {
        if (!sameVoxels(labelmap.voxels(), merged)) labelmap.load(merged);
      }
    } finally {
      copying = false;
    }
  };
  // A stroke modifies its labelmap at every mouse move: the copy is made once a frame at most.
  const onModified = (event: Event) => {
    const id = (event as CustomEvent<{ segmentationId: string }>).detail?.segmentationId;
    const labelmap = labelmaps.find((candidate) => candidate.segmentationId === id);
    if (copying || !labelmap) return;
    changed.add(labelmap);
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(copyChanges);
  };
  eventTarget.addEventListener(ToolEnums.Events.SEGMENTATION_DATA_MODIFIED, onModified);
  const each = (act: (labelmap: Labelmap) => void) => labelmaps.forEach(act);

  const linked: LinkedLabelmap = {
    segmentationId: first.segmentationId,
    voxels() {
      copyChanges(); // a stroke made since the last frame is part of what is saved
      return shared;
    },
    load(voxels) {
      shared = voxels.slice();
      copying = true;
      try { each((labelmap) => labelmap.load(voxels)); } finally { copying = false; }
    },
    replace(voxels) {
      // One step of the history for all of them: it is the first labelmap's, and the copy follows it (on undo too).
      copyChanges();
      first.replace(voxels);
      copyChanges();
    },
    setSegment: (index) => each((labelmap) => labelmap.setSegment(index)),
    useBrush: () => each((labelmap) => labelmap.useBrush()),
    useThreshold: (range) => each((labelmap) => labelmap.useThreshold(range)),
    useScissors: (shape) => each((labelmap) => labelmap.useScissors(shape)),
    useEraser: () => each((labelmap) => labelmap.useEraser()),
    useNavigation: () => each((labelmap) => labelmap.useNavigation()),
    setBrushSize: (pixels) => each((labelmap) => labelmap.setBrushSize(pixels)),
    windowRange: () => first.windowRange(),
    colour: (index) => first.colour(index),
    // The history is one for the page (Cornerstone's default memo): one undo takes back the last stroke on any series.
    undo: () => first.undo(),
    redo: () => first.redo(),
    unlink() {
      eventTarget.removeEventListener(ToolEnums.Events.SEGMENTATION_DATA_MODIFIED, onModified);
    },
  };
  return linked;
}

function sameVoxels(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
