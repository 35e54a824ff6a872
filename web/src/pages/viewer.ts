// The study viewer, /viewer?study=<StudyInstanceUID>[&series=<SeriesInstanceUID>][&layout=stack|mpr|side-by-side]: the
// study's image series in a series browser, and one of three layouts — the chosen series as a stack, the same series as
// a volume in axial, sagittal and coronal views (MPR), or up to four series side by side (a brain MRI's T1, T1c, T2 and
// FLAIR). A study of several MR series opens side by side, any other in a stack. `./cl2 bench viewer` times the stack.
// Side by side, the series scroll together and show reference lines (where another viewport's slice cuts an image in
// another orientation), and the MPR views show where the other two views' planes cut them; a toolbar button turns each off.
// Switching between Stack and MPR keeps the place: the MPR's axial view opens on the stack's slice, and the stack on the
// slice where the MPR's planes meet.

// This page's own code has no Cornerstone: that comes with studyViewerCode.ts, asked for as the page opens, so the page
// is laid out and a stack's first image previewed (firstImagePreview.ts) while it loads.

import type { Me } from '../api/session';
import { imageSeries, listSeries, loadSeries, type SortedSeries } from '../dicomweb/series';
import { pointOnSlice, voxelAt } from '../labels/voxelIndex';
import { element, escapeHtml } from '../ui';
import { showFirstImage, type PreviewFrame } from '../viewer/firstImagePreview';
import { firstRequests, layoutFor, layouts, sideBySideMaximum, type Layout } from '../viewer/layouts';
import type { Vector } from '../viewer/referenceLines';
import { stackMarkup } from '../viewer/stackMarkup';
import type { StackViewer } from '../viewer/stackViewer';
import { dicomweb, takePrefetched } from '../viewer/viewerPrefetch';

let sideBySides = 0;

export async function showViewer(main: HTMLElement, _me: Me, query: URLSearchParams): Promise<void> {
  const study = query.get('study');
  main.innerHTML = '<h1>Viewer</h1>';
  if (!study) {
    main.append(element('<p>Add <code>?study=&lt;StudyInstanceUID&gt;</code> to this address to open a study of the archive.</p>'));
    return;
  }
  // The study's series and, for a series named in the address to open as a stack (the PACS's or the benchmark's link), its
  // metadata: asked for by main.ts before this page's code was loaded (viewerPrefetch.ts), or else here. Cornerstone's
  // start goes ahead while the series are listed, instead of after.
  const code = import('../viewer/studyViewerCode');
  code.catch(() => undefined); // reported where a layout awaits it
  const early = takePrefetched(study);
  let prefetched: { series: string; metadata: Promise<SortedSeries>; frame?: Promise<PreviewFrame | undefined> } | undefined = early?.stack;
  if (!early) {
    const first = firstRequests(query);
    if (first?.stackSeries) {
      prefetched = { series: first.stackSeries, metadata: loadSeries(dicomweb, study, first.stackSeries) };
      prefetched.metadata.catch(() => undefined); // reported by the viewer that uses it; unused if the series is not the study's
    }
  }
  if (prefetched) code.then((c) => c.startCornerstone()).catch(() => undefined);
  const series = imageSeries(await (early?.series ?? listSeries(dicomweb, study)));
  if (series.length === 0) {
    main.append(element(`<p>The archive holds no image series of study <code>${escapeHtml(study)}</code>.</p>`));
    return;
  }
  let chosen = series.find((s) => s.seriesInstanceUid === query.get('series')) ?? series[0];
  let layout = layoutFor(series, query.get('layout'), query.has('series'));
  const bar = element(`<div class="toolbar" role="toolbar" aria-label="Layout">${layouts
    .filter((l) => l.key !== 'side-by-side' || series.length > 1)
    .map((l) => `<button type="button" data-layout="${l.key}">${l.label}</button>`).join('')}</div>`);
  const browser = element(`<nav class="series" aria-label="Series">${series
    .map((s) => `<button type="button" data-series="${escapeHtml(s.seriesInstanceUid)}">
      ${escapeHtml(s.modality)} ${s.number} ${escapeHtml(s.description)} <small>(${s.instances})</small></button>`)
    .join('')}</nav>`);
  const area = element('<div class="viewer-area"></div>');
  main.append(bar, browser, area);
  let destroy = () => {};
  // Where the open stack or MPR views are (mm), for the other layout of the same series to open at.
  let here: () => Vector | undefined = () => undefined;

  const show = async (keepPlace = false) => {
    const place = keepPlace ? here() : undefined;
    here = () => undefined;
    destroy();
    area.innerHTML = '';
    bar.querySelectorAll<HTMLButtonElement>('[data-layout]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.layout === layout)));
    browser.querySelectorAll<HTMLButtonElement>('[data-series]').forEach((b) =>
      b.setAttribute('aria-pressed', String(layout !== 'side-by-side' && b.dataset.series === chosen.seriesInstanceUid)));
    history.replaceState(null, '', `/viewer?study=${encodeURIComponent(study)}&series=${encodeURIComponent(chosen.seriesInstanceUid)}&layout=${layout}`);
    if (layout === 'side-by-side') {
      area.className = 'viewer-area side-by-side';
      const shown = series.slice(0, sideBySideMaximum);
      const hosts = shown.map((s) => {
        const cell = element(`<figure><figcaption>${escapeHtml(s.description || s.modality)}</figcaption><div class="viewer-host"></div></figure>`);
        area.append(cell);
        return cell.querySelector<HTMLElement>('.viewer-host')!;
      });
      // One rendering engine draws the four: with an engine each, only some of them showed their images (Chromium).
      const { RenderingEngine, openStack, referenceLines, scrollTogether, startCornerstone } = await code;
      await startCornerstone();
      const engine = new RenderingEngine(`side-by-side-${++sideBySides}`);
      const viewers: StackViewer[] = [];
      for (const [index, s] of shown.entries()) viewers.push(await openStack(hosts[index], study, s.seriesInstanceUid, engine));
      const toggles = [
        toggleButton('scroll-together', 'Scroll together', scrollTogether(viewers)),
        toggleButton('reference-lines', 'Reference lines', referenceLines(viewers)),
      ];
      bar.append(...toggles);
      destroy = () => {
        toggles.forEach((toggle) => toggle.remove());
        viewers.forEach((viewer) => viewer.destroy());
        engine.destroy();
      };
    } else {
      area.className = 'viewer-area';
      const host = element('<div class="viewer-host"></div>');
      area.append(host);
      const asked = prefetched?.series === chosen.seriesInstanceUid ? prefetched : undefined;
      prefetched = undefined; // once: a later show asks again
      if (layout === 'mpr') {
        const { openMpr } = await code;
        const viewer = await openMpr(host, study, chosen.seriesInstanceUid, { through: place, turnable: true });
        here = () => viewer.crossingPoint();
        const toggle = toggleButton('reference-lines', 'Reference lines', viewer.showReferenceLines);
        bar.append(toggle);
        destroy = () => {
          toggle.remove();
          viewer.destroy();
        };
      } else {
        const markup = stackMarkup(host);
        if (asked?.frame) markup.preview = showFirstImage(markup.element, asked.frame);
        const { openStack } = await code;
        const viewer = await openStack(host, study, chosen.seriesInstanceUid, undefined, asked?.metadata, markup);
        const voxel = place && voxelAt(viewer.series.grid, place);
        if (voxel) await viewer.viewport.setImageIdIndex(voxel[0]);
        here = () => pointOnSlice(viewer.series.grid, viewer.viewport.getCurrentImageIdIndex());
        destroy = () => viewer.destroy();
      }
    }
  };
  bar.onclick = (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-layout]');
    if (!button) return;
    const next = button.dataset.layout as Layout;
    const keepPlace = next !== layout && next !== 'side-by-side' && layout !== 'side-by-side';
    layout = next;
    void show(keepPlace);
  };
  browser.onclick = (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-series]');
    if (!button) return;
    chosen = series.find((s) => s.seriesInstanceUid === button.dataset.series) ?? chosen;
    if (layout === 'side-by-side') layout = 'stack';
    void show();
  };
  await show();
}

/** A toolbar button that turns something on or off (on to start), its state in aria-pressed. */
function toggleButton(testId: string, label: string, turn: (on: boolean) => void): HTMLButtonElement {
  const toggle = element<HTMLButtonElement>(`<button type="button" data-testid="${testId}" aria-pressed="true">${label}</button>`);
  toggle.onclick = () => {
    const on = toggle.getAttribute('aria-pressed') !== 'true';
    toggle.setAttribute('aria-pressed', String(on));
    turn(on);
  };
  return toggle;
}
