// A labelmap on a stack viewer: one derived image per slice, painted with a circular brush, a threshold brush (only the
// pixels whose value lies in a range), rectangle, circle or sphere scissors or an eraser, segments named by the labels, undo/redo through Cornerstone's history. Its voxels come out in the label volume's order (slice 0 = the
// viewer's first image, rows then columns), ready for labelVolume.ts. Cornerstone's tools are in this file's imports:
// pages load it with import() once their viewer is open, so the viewer's first image does not wait for them.

import { cache, imageLoader, utilities as coreUtilities } from '@cornerstonejs/core';
import {
  BrushTool,
  CircleScissorsTool,
  Enums as ToolEnums,
  RectangleScissorsTool,
  SphereScissorsTool,
  segmentation,
  utilities as toolUtilities,
} from '@cornerstonejs/tools';
import type { StackViewer } from './stackViewer';
import type { ValueRange } from './valueRange';

export const brushName = 'CircularBrush';
export const eraserName = 'CircularEraser';
export const thresholdName = 'ThresholdBrush';
/** The scissors by the shape they fill: a rectangle between a drag's corners, a circle (or a sphere, over the slices
 * it reaches) centred where a drag starts, its radius reaching where the drag ends. */
export const scissorsNames = {
  rectangle: RectangleScissorsTool.toolName,
  circle: CircleScissorsTool.toolName,
  sphere: SphereScissorsTool.toolName,
} as const;
export type ScissorsShape = keyof typeof scissorsNames;

let labelmaps = 0;

export interface Labelmap {
  segmentationId: string;
  /** The voxels, slice after slice. */
  voxels(): Uint8Array;
  /** Replaces the voxels (a stored revision, a result to review), outside the undo history. */
  load(voxels: Uint8Array): void;
  /** Replaces the voxels as one step Undo takes back (a model's prediction to start from). */
  replace(voxels: Uint8Array): void;
  setSegment(index: number): void;
  /** The colour a segment is drawn in (red, green, blue, alpha; 0–255), for a legend. */
  colour(index: number): [number, number, number, number];
  useBrush(): void;
  /** A brush that paints only the pixels whose value (Hounsfield units for a CT) lies in `range`, ends included. */
  useThreshold(range: ValueRange): void;
  /** Scissors: a left drag fills the shape (scissorsNames) with the segment. */
  useScissors(shape: ScissorsShape): void;
  useEraser(): void;
  useNavigation(): void;
  setBrushSize(pixels: number): void;
  /** The values the viewport's window shows now (a threshold brush's range to start from). */
  windowRange(): ValueRange;
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
  group.addToolInstance(thresholdName, BrushTool.toolName, { activeStrategy: 'THRESHOLD_INSIDE_CIRCLE', threshold: { isDynamic: false } });
  for (const name of Object.values(scissorsNames)) group.addTool(name);
  const primary = [{ mouseButton: ToolEnums.MouseBindings.Primary }];
  const navigation = 'WindowLevel';
  const activate = (name: string) => {
    for (const other of [brushName, eraserName, thresholdName, ...Object.values(scissorsNames), navigation]) {
      if (other !== name) group.setToolPassive(other);
    }
    group.setToolActive(name, { bindings: primary });
  };

  const slice = viewer.series.grid.rows * viewer.series.grid.columns;
  const scalars = (index: number) => cache.getImage(segmentImageIds[index])!.voxelManager!;
  const render = () => toolUtilities.segmentation.triggerSegmentationRender(viewer.viewportId);

  const labelmap: Labelmap = {
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
    replace(voxels) {
      const before = labelmap.voxels();
      labelmap.load(voxels);
      coreUtilities.HistoryMemo.DefaultHistoryMemo.push({ restoreMemo: (undo) => labelmap.load(undo ? before : voxels) });
    },
    colour(index) {
      return segmentation.config.color.getSegmentIndexColor(viewer.viewportId, segmentationId, index) as [number, number, number, number];
    },
    setSegment(index) {
      segmentation.segmentIndex.setActiveSegmentIndex(segmentationId, index);
    },
    useBrush: () => activate(brushName),
    useThreshold(range) {
      toolUtilities.segmentation.setBrushThresholdForToolGroup(group.id, { range: [...range], isDynamic: false, dynamicRadius: 0 });
      activate(thresholdName);
    },
    useScissors: (shape) => activate(scissorsNames[shape]),
    useEraser: () => activate(eraserName),
    useNavigation: () => activate(navigation),
    setBrushSize(pixels) {
      toolUtilities.segmentation.setBrushSizeForToolGroup(group.id, pixels);
    },
    windowRange() {
      const { lower, upper } = viewer.viewport.getProperties().voiRange ?? { lower: 0, upper: 0 };
      return [Math.round(lower), Math.round(upper)];
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
  return labelmap;
}
