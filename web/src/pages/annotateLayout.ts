// The annotator workspace's layouts (M switches): the series as a stack, or in three orthogonal views (MPR: axial,
// sagittal, coronal) that show and paint the same labelmap. The stack's labelmap is the one truth: the MPR views show it
// as a volume made of its own images (labelmap.ts, showIn), so a stroke in any view is in every view and in what is
// saved, and Undo takes back strokes whichever view they were made in. The MPR views open on the first switch and stay
// (hidden) until the series changes; switching to them shows in the axial view the stack's slice (the other two planes
// through it, where they were), and switching back to the stack shows the slice the axial view was on. Their
// reference lines (crosshairs) show only while Navigate is chosen: a brush press near a line would otherwise move it.
// A label over several series (channels, on one grid) has an MPR of the channel chosen beside the switch: its labelmap
// is linked to the other channels' (linkedLabelmaps.ts), so a stroke in MPR reaches every channel and what is saved.

import { element, escapeHtml } from '../ui';
import { pointOnSlice, voxelAt } from '../labels/voxelIndex';
import type { SharedLabelmap } from '../viewer/labelmap';
import type { MprViewer } from '../viewer/mprViewer';
import type { StackViewer } from '../viewer/stackViewer';

/** The key that switches between the layouts (toolKeys leaves it free). */
export const layoutKey = 'm';

export type AnnotateLayout = 'stack' | 'mpr';

/** A series open as a stack, with its labelmap. */
export interface OpenSeries {
  viewer: StackViewer;
  labelmap: SharedLabelmap;
}

export interface LayoutSwitch {
  element: HTMLElement;
  /** The series open now as a stack, with its labelmap; none while another opens (the MPR views of the last one close). */
  setSeries(open: OpenSeries | undefined): void;
  /** The channels open side by side (one grid), by name: MPR shows the one chosen, and a return to Stack moves them all. */
  setChannels(channels: (OpenSeries & { name: string })[]): void;
  destroy(): void;
}

/**
 * @param stackHost where the stack viewer is (hidden in MPR)
 * @param mprHost where the MPR views open (hidden in Stack)
 * @param showError how a failure to open the MPR views is told
 */
export function layoutSwitch(stackHost: HTMLElement, mprHost: HTMLElement, study: string, showError: (error: unknown) => void): LayoutSwitch {
  const switcher = element(`<div class="toolbar layouts" role="group" aria-label="Layout">
      <button type="button" data-layout="stack" aria-pressed="true" title="One slice at a time (M switches)">Stack</button>
      <button type="button" data-layout="mpr" aria-pressed="false" title="Axial, sagittal and coronal views of the series, all painted alike (M switches)">MPR</button>
    </div>`);
  let layout: AnnotateLayout = 'stack';
  let open: OpenSeries | undefined;
  /** Every stack shown (the channels'), which a return from MPR moves to the axial view's slice and redraws. */
  let stacks: OpenSeries[] = [];
  let mpr: Promise<{ viewer: MprViewer; close(): void }> | undefined;
  mprHost.hidden = true;

  const buttons = () => switcher.querySelectorAll<HTMLButtonElement>('button[data-layout]');
  const press = () => buttons().forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.layout === layout)));
  buttons().forEach((b) => { b.disabled = true; });

  const openMpr = async (viewer: StackViewer, labelmap: SharedLabelmap) => {
    const { openMpr } = await import('../viewer/mprViewer');
    const through = pointOnSlice(viewer.series.grid, viewer.viewport.getCurrentImageIdIndex());
    const views = await openMpr(mprHost, study, viewer.series.seriesInstanceUid, { through });
    try {
      const stopShowing = await labelmap.showIn(views.viewports, await views.tools);
      views.showReferenceLines(labelmap.navigating());
      const stopFollowing = labelmap.whenToolChanges(views.showReferenceLines);
      mprHost.dataset.labelmap = 'shown';
      return { viewer: views, close: () => { stopFollowing(); stopShowing(); views.destroy(); } };
    } catch (error) {
      views.destroy();
      throw error;
    }
  };
  const closeMpr = () => {
    const closing = mpr;
    mpr = undefined;
    mprHost.replaceChildren();
    for (const key of Object.keys(mprHost.dataset)) delete mprHost.dataset[key];
    void closing?.then((views) => views.close(), () => undefined);
  };

  const show = async (next: AnnotateLayout) => {
    if (!open || next === layout) return;
    const { viewer, labelmap } = open;
    if (next === 'mpr') {
      layout = 'mpr';
      press();
      stackHost.hidden = true;
      mprHost.hidden = false;
      if (!mpr) {
        mpr = openMpr(viewer, labelmap);
        mpr.catch((error) => {
          closeMpr();
          void show('stack');
          showError(error);
        });
      } else {
        const views = await mpr;
        views.viewer.viewports[0].getRenderingEngine().resize(true);
        // Only the axial plane moves: to the point of the stack's slice nearest where the three views meet now.
        views.viewer.showThrough(pointOnSlice(viewer.series.grid, viewer.viewport.getCurrentImageIdIndex(), views.viewer.crossingPoint()));
        labelmap.refresh();
      }
    } else {
      layout = 'stack';
      press();
      mprHost.hidden = true;
      stackHost.hidden = false;
      // The stack shows the slice the axial view crosses, where the annotator was working.
      const views = await mpr?.catch(() => undefined);
      const focus = views?.viewer.viewports[0].getCamera().focalPoint;
      const voxel = focus && voxelAt(viewer.series.grid, [focus[0], focus[1], focus[2]]);
      viewer.viewport.getRenderingEngine().resize(true);
      if (voxel) await Promise.all(stacks.map((stack) => stack.viewer.viewport.setImageIdIndex(voxel[0])));
      // The other channels' labelmaps took the MPR's strokes while hidden.
      stacks.forEach((stack) => stack.labelmap.refresh());
    }
  };
  switcher.onclick = (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-layout]');
    if (button) void show(button.dataset.layout as AnnotateLayout);
  };
  const onKey = (event: KeyboardEvent) => {
    if (!open || event.ctrlKey || event.altKey || event.metaKey || (event.target as HTMLElement).closest('input, select, textarea')) return;
    if (event.key.toLowerCase() === layoutKey) void show(layout === 'stack' ? 'mpr' : 'stack');
  };
  document.addEventListener('keydown', onKey);

  const backToStack = () => {
    closeMpr();
    layout = 'stack';
    press();
    mprHost.hidden = true;
    stackHost.hidden = false;
  };
  const setSeries = (next: OpenSeries | undefined) => {
    backToStack();
    open = next;
    stacks = next ? [next] : [];
    buttons().forEach((b) => { b.disabled = !next; });
    switcher.querySelector('label')?.remove();
  };
  return {
    element: switcher,
    setSeries,
    setChannels(channels) {
      setSeries(channels[0]);
      stacks = channels;
      const chooser = element(`<label>of <select data-testid="mpr-channel">${channels
        .map((channel, index) => `<option value="${index}">${escapeHtml(channel.name)}</option>`).join('')}</select></label>`);
      const select = chooser.querySelector('select')!;
      select.title = 'The channel the MPR views show (strokes reach every channel)';
      select.onchange = () => {
        const inMpr = layout === 'mpr';
        backToStack();
        open = channels[Number(select.value)];
        if (inMpr) void show('mpr');
      };
      switcher.append(chooser);
    },
    destroy() {
      document.removeEventListener('keydown', onKey);
      closeMpr();
    },
  };
}
