// A labelmap on a stack viewer: one derived image per slice, painted with a circular brush or eraser, segments named by
// the labels, undo/redo through Cornerstone's history. Its voxels come out in the label volume's order (slice 0 = the
// viewer's first image, rows then columns), ready for labelVolume.ts. Cornerstone's tools are in this file's imports:
// pages load it with import() once their viewer is open, so the viewer's first image does not wait for them.

import { cache, imageLoader, utilities as coreUtilities } from '@cornerstonejs/core';
import {
  BrushTool,
  Enums as ToolEnums,
  segmentation,
  utilities as toolUtilities,
} from '@cornerstonejs/tools';
import type { StackViewer } from './stackViewer';

export const brushName = 'CircularBrush';
export const eraserName = 'CircularEraser';

let labelmaps = 0;

export interface Labelmap {
  segmentationId: string;
  /** The voxels, slice after slice. */
  voxels(): Uint8Array;
  /** Replaces the voxels (a stored revision or a model's prediction to start from). */
  load(voxels: Uint8Array): void;
  setSegment(index: number): void;
  useBrush(): void;
  useEraser(): void;
  useNavigation(): void;
  setBrushSize(pixels: number): void;
  undo(): void;
  redo(): void;
}

export async function addLabelmap(viewer: StackViewer, labelNames: Record<string, string>): Promise<Labelmap> {
  const group = await viewer.tools; // the tools are set up once the viewer's tool group exists
  const segmentationId = `labelmap-${++labelmaps}`;
  const images = imageLoader.createAndCacheDerivedLabelmapImages(viewer.imageIds);
  const segmentImageIds = images.map((image) => image.imageId);
  const segments: Record<number, { label: string; segmentIndex: number }> = {};
  for (const [value, name] of Object.entries(labelNames)) {
    segments[Number(value)] = { label: name, segmentIndex: Number(value) };
  }
  segmentation.addSegmentations([
    {
      segmentationId,
      representation: { type: ToolEnums.SegmentationRepresentations.Labelmap, data: { imageIds: segmentImageIds } },
      config: { label: 'label', segments },
    },
  ]);
  await segmentation.addLabelmapRepresentationToViewport(viewer.viewportId, [{ segmentationId }]);
  segmentation.activeSegmentation.setActiveSegmentation(viewer.viewportId, segmentationId);

  group.addToolInstance(brushName, BrushTool.toolName, { activeStrategy: 'FILL_INSIDE_CIRCLE' });
  group.addToolInstance(eraserName, BrushTool.toolName, { activeStrategy: 'ERASE_INSIDE_CIRCLE' });
  const primary = [{ mouseButton: ToolEnums.MouseBindings.Primary }];
  const navigation = 'WindowLevel';
  const activate = (name: string) => {
    for (const other of [brushName, eraserName, navigation]) {
      if (other !== name) group.setToolPassive(other);
    }
    group.setToolActive(name, { bindings: primary });
  };

  const slice = viewer.series.grid.rows * viewer.series.grid.columns;
  const scalars = (index: number) => cache.getImage(segmentImageIds[index])!.voxelManager!;
  const render = () => toolUtilities.segmentation.triggerSegmentationRender(viewer.viewportId);

  return {
    segmentationId,
    voxels() {
      const voxels = new Uint8Array(slice * segmentImageIds.length);
      segmentImageIds.forEach((_, index) => voxels.set(scalars(index).getScalarData() as ArrayLike<number>, index * slice));
      return voxels;
    },
    load(voxels) {
      segmentImageIds.forEach((_, index) => {
        const manager = scalars(index);
        const data = manager.getScalarData() as Uint8Array;
        data.set(voxels.subarray(index * slice, (index + 1) * slice));
        manager.setScalarData?.(data);
      });
      segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(segmentationId);
      render();
    },
    setSegment(index) {
      segmentation.segmentIndex.setActiveSegmentIndex(segmentationId, index);
    },
    useBrush: () => activate(brushName),
    useEraser: () => activate(eraserName),
    useNavigation: () => activate(navigation),
    setBrushSize(pixels) {
      toolUtilities.segmentation.setBrushSizeForToolGroup(group.id, pixels);
    },
    undo() {
      coreUtilities.HistoryMemo.DefaultHistoryMemo.undo();
      render();
    },
    redo() {
      coreUtilities.HistoryMemo.DefaultHistoryMemo.redo();
      render();
    },
  };
}
