// A stored segmentation on the label review page, over every series it references: one viewer for a label on one
// series, or (a dataset with input channels) the annotate page's side-by-side viewers with linked labelmaps
// (annotateChannels.ts), captioned by channel and scrolled together. It opens read-only (Navigate) at its busiest slice;
// "Correct" later gives its labelmap the labelling tools.

import type { SeriesSummary } from '../dicomweb/series';
import { busiestSlice } from '../labels/labelReview';
import type { LabelVolumeHeader } from '../labels/labelVolume';
import { openStack } from '../viewer/stackViewer';
import { openChannels, type LabelViews } from './annotateChannels';

/**
 * Opens `mask` in `host` over its series (the study's `series` hold them; `captions` names each, in the mask's order);
 * throws a message saying why when the series do not lie on one grid or the mask's grid is not theirs.
 */
export async function openReviewedSegmentation(host: HTMLElement, study: string, series: SeriesSummary[], captions: string[],
  mask: { header: LabelVolumeHeader; labels: Uint8Array }, names: Record<string, string>): Promise<LabelViews> {
  const uids = mask.header.referencedSeriesInstanceUids;
  const views = uids.length > 1 ? await openSideBySide(host, study, series, captions, uids, names) : await openOne(host, study, uids[0], names);
  const { grid } = views;
  if (mask.header.shape.join('×') !== [grid.slices, grid.rows, grid.columns].join('×')) {
    views.destroy();
    throw new Error(`The label's grid (${mask.header.shape.join('×')}) is not that of its series (${grid.slices}×${grid.rows}×${grid.columns}): it cannot be drawn.`);
  }
  views.labelmap.load(mask.labels);
  views.labelmap.useNavigation();
  const busiest = busiestSlice(mask.labels, grid.rows * grid.columns);
  // The series lie on one grid (openChannels checks), so the busiest slice has the same index in each.
  if (busiest !== undefined) await Promise.all(views.viewers.map((viewer) => viewer.viewport.setImageIdIndex(busiest)));
  host.querySelectorAll<HTMLElement>('.viewer-host').forEach((viewerHost) => { viewerHost.dataset.overlay = 'label'; });
  return views;
}

async function openOne(host: HTMLElement, study: string, seriesUid: string, names: Record<string, string>): Promise<LabelViews> {
  const viewerHost = document.createElement('div');
  viewerHost.className = 'viewer-host';
  host.append(viewerHost);
  const viewer = await openStack(viewerHost, study, seriesUid);
  try {
    // The labelmap's code comes with Cornerstone's tools, after the viewer's first image.
    const labelmap = await (await import('../viewer/labelmap')).addLabelmap(viewer, names);
    return { viewers: [viewer], labelmap, seriesUids: [seriesUid], grid: viewer.series.grid, destroy: () => viewer.destroy() };
  } catch (error) {
    viewer.destroy();
    throw error;
  }
}

async function openSideBySide(host: HTMLElement, study: string, series: SeriesSummary[], captions: string[], uids: string[],
  names: Record<string, string>): Promise<LabelViews> {
  const area = document.createElement('div');
  area.className = 'viewer-area side-by-side';
  host.append(area);
  return openChannels(area, study, captions, series, uids, names);
}
