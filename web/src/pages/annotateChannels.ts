// The annotator workspace's label over several series, for a dataset whose labels name input channels (brain MRI: T1,
// T1c, T2, FLAIR): a small form that says which of the study's series is which channel (matched by Series Description,
// changeable), and those series side by side, scrolling together, each with a labelmap linked to the others, so a stroke
// on any of them is the one label saved with all the channels' series in channel order (docs/training.md, "Mask
// format"). Series that do not lie on one grid are not opened for painting: the message names the series that differs.

import { RenderingEngine } from '@cornerstonejs/core';
import { loadSeries, type Grid, type SeriesSummary } from '../dicomweb/series';
import { gridMismatch } from '../labels/channels';
import { element, escapeHtml } from '../ui';
import { startCornerstone } from '../viewer/cornerstone';
import type { Labelmap, SharedLabelmap } from '../viewer/labelmap';
import { scrollTogether } from '../viewer/scrollTogether';
import { openStack, type StackViewer } from '../viewer/stackViewer';
import { dicomweb } from '../viewer/viewerPrefetch';

/** What the workspace paints on: one series, or the series of every channel. */
export interface LabelViews {
  viewers: StackViewer[];
  labelmap: Labelmap;
  /** The series the label references, in channel order. */
  seriesUids: string[];
  /** The grid they share. */
  grid: Grid;
  /** With channels, each one's name, viewer and own labelmap (linked to the others'), for the MPR layout. */
  channels?: { name: string; viewer: StackViewer; labelmap: SharedLabelmap }[];
  destroy(): void;
}

export interface ChannelForm {
  element: HTMLFormElement;
  /** The series chosen for each channel, in channel order (undefined: none chosen). */
  assignment(): (string | undefined)[];
}

/** A select per channel listing the study's series, starting from `assignment`, and a button that shows them. */
export function channelForm(channels: string[], series: SeriesSummary[], assignment: (string | undefined)[]): ChannelForm {
  const options = (chosen: string | undefined) => `<option value="">(choose)</option>${series
    .map((s) => `<option value="${escapeHtml(s.seriesInstanceUid)}"${s.seriesInstanceUid === chosen ? ' selected' : ''}>${escapeHtml(
      `${s.modality} ${s.number} ${s.description}`)}</option>`).join('')}`;
  const form = element<HTMLFormElement>(`<form class="series channels" aria-label="Channels">${channels
    .map((channel, index) => `<label for="channel-${index}">${escapeHtml(channel)}</label>
      <select id="channel-${index}" data-channel="${escapeHtml(channel)}">${options(assignment[index])}</select>`).join('')}
    <button type="submit">Show these series</button></form>`);
  return {
    element: form,
    assignment: () => [...form.querySelectorAll('select')].map((select) => select.value || undefined),
  };
}

/**
 * Opens each channel's series side by side in `area`, once they are checked to lie on one grid (else throws the
 * message naming the series that differs), each with a labelmap, linked as one.
 */
export async function openChannels(area: HTMLElement, study: string, channels: string[], series: SeriesSummary[],
  seriesUids: string[], labelNames: Record<string, string>): Promise<LabelViews> {
  const sorted = await Promise.all(seriesUids.map((uid) => loadSeries(dicomweb, study, uid)));
  const description = (uid: string) => series.find((s) => s.seriesInstanceUid === uid)?.description ?? '';
  const mismatch = gridMismatch(channels.map((channel, index) => ({ channel, description: description(seriesUids[index]), series: sorted[index] })));
  if (mismatch) throw new Error(`${mismatch} Choose other series, or label this case with a dataset of one series.`);
  const hosts = channels.map((channel, index) => {
    const cell = element(`<figure data-channel="${escapeHtml(channel)}"><figcaption>${escapeHtml(channel)}: ${escapeHtml(description(seriesUids[index]))}</figcaption>
      <div class="viewer-host"></div></figure>`);
    area.append(cell);
    return cell.querySelector<HTMLElement>('.viewer-host')!;
  });
  // One rendering engine draws them all, as the study viewer's side by side does (with one each, Chromium showed only some).
  await startCornerstone();
  const engine = new RenderingEngine(`annotate-channels-${++opened}`);
  const viewers: StackViewer[] = [];
  let unlink = () => {};
  const destroy = () => {
    unlink();
    viewers.forEach((viewer) => viewer.destroy());
    engine.destroy();
    area.innerHTML = '';
  };
  try {
    for (const [index, uid] of seriesUids.entries()) viewers.push(await openStack(hosts[index], study, uid, engine, Promise.resolve(sorted[index])));
    scrollTogether(viewers);
    const { addLabelmap } = await import('../viewer/labelmap');
    const labelmaps: SharedLabelmap[] = [];
    for (const viewer of viewers) labelmaps.push(await addLabelmap(viewer, labelNames));
    const labelmap = (await import('../viewer/linkedLabelmaps')).linkLabelmaps(labelmaps);
    unlink = labelmap.unlink;
    return { viewers, labelmap, seriesUids, grid: sorted[0].grid, destroy,
      channels: channels.map((name, index) => ({ name, viewer: viewers[index], labelmap: labelmaps[index] })) };
  } catch (error) {
    destroy();
    throw error;
  }
}

let opened = 0;
