// A labelmap on a stack viewer: one derived image per slice, painted with a circular brush, a threshold brush (only the
// pixels whose value lies in a range), rectangle, circle or sphere scissors or an eraser, segments named by the labels, undo/redo through Cornerstone's history. Its voxels come out in the label volume's order (slice 0 = the
// viewer's first image, rows then columns), ready for labelVolume.ts. Volume viewports of the same series (the annotator
// workspace's MPR layout) can show and paint the same voxels (showIn). Cornerstone's tools are in this file's imports:
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
  type Types as ToolTypes,
} from '@cornerstonejs/tools';
import { handOverHeldClicks } from './pendingClick';
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

/**
 * The stack viewer's labelmap, which other views of the same series can show and paint too: its voxels are the derived
 * images' pixels, and a volume viewport shows them as a volume made of those same images (Cornerstone's image volume),
 * so a stroke in any view writes the one copy every view and `voxels()` read.
 */
export interface SharedLabelmap extends Labelmap {
  /**
   * Shows the labelmap in volume viewports of the stack's series too, with the toolbar's tools in their tool group;
   * the answer stops that (call it before the views are destroyed).
   */
  showIn(views: { id: string }[], group: ToolTypes.IToolGroup): Promise<() => void>;
  /** Whether Navigate is the tool chosen (a left drag windows the image, rather than painting). */
  navigating(): boolean;
  /** Calls `listener` with whether Navigate is chosen, whenever a tool is chosen; the answer stops that. */
  whenToolChanges(listener: (navigating: boolean) => void): () => void;
  /** Redraws the labelmap in every view that shows it (a view shown again after it was hidden). */
  refresh(): void;
}

export async function addLabelmap(viewer: StackViewer, labelNames: Record<string, string>): Promise<SharedLabelmap> {
  const group = await viewer.tools; // the tools are set up once the viewer's tool group exists
  handOverHeldClicks();
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

  // The tool groups the labelmap's tools are in: the stack viewer's, and those of the views it is also shown in
  // (showIn); a choice of tool, size or range applies to all of them, so each view paints the way the toolbar says.
  const groups: ToolTypes.IToolGroup[] = [];
  const navigation = 'WindowLevel';
  let active = navigation;
  let brushSize: number | undefined;
  let threshold: ValueRange | undefined;
  const toolChanged = new Set<(navigating: boolean) => void>();
  const primary = [{ mouseButton: ToolEnums.MouseBindings.Primary }];
  const activateIn = (group: ToolTypes.IToolGroup) => {
    for (const other of [brushName, eraserName, thresholdName, ...Object.values(scissorsNames), navigation]) {
      if (other !== active) group.setToolPassive(other);
    }
    group.setToolActive(active, { bindings: primary });
  };
  const setUp = (group: ToolTypes.IToolGroup) => {
    group.addToolInstance(brushName, BrushTool.toolName, { activeStrategy: 'FILL_INSIDE_CIRCLE' });
    group.addToolInstance(eraserName, BrushTool.toolName, { activeStrategy: 'ERASE_INSIDE_CIRCLE' });
    group.addToolInstance(thresholdName, BrushTool.toolName, { activeStrategy: 'THRESHOLD_INSIDE_CIRCLE', threshold: { isDynamic: false } });
    for (const name of Object.values(scissorsNames)) group.addTool(name);
    if (brushSize !== undefined) toolUtilities.segmentation.setBrushSizeForToolGroup(group.id, brushSize);
    if (threshold) toolUtilities.segmentation.setBrushThresholdForToolGroup(group.id, { range: [...threshold], isDynamic: false, dynamicRadius: 0 });
    activateIn(group);
    groups.push(group);
  };
  setUp(group);
  const activate = (name: string) => {
    active = name;
    groups.forEach(activateIn);
    toolChanged.forEach((listener) => listener(name === navigation));
  };

  const slice = viewer.series.grid.rows * viewer.series.grid.columns;
  const scalars = (index: number) => cache.getImage(segmentImageIds[index])!.voxelManager!;
  // Every view that shows the labelmap: the stack, and the MPR views where it is also shown.
  const render = () => toolUtilities.segmentation.triggerSegmentationRenderBySegmentationId(segmentationId);

  const labelmap: SharedLabelmap = {
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
      threshold = range;
      for (const { id } of groups) toolUtilities.segmentation.setBrushThresholdForToolGroup(id, { range: [...range], isDynamic: false, dynamicRadius: 0 });
      activate(thresholdName);
    },
    useScissors: (shape) => activate(scissorsNames[shape]),
    useEraser: () => activate(eraserName),
    useNavigation: () => activate(navigation),
    setBrushSize(pixels) {
      brushSize = pixels;
      for (const { id } of groups) toolUtilities.segmentation.setBrushSizeForToolGroup(id, pixels);
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
    async showIn(views, viewsGroup) {
      for (const { id } of views) {
        await segmentation.addLabelmapRepresentationToViewport(id, [{ segmentationId }]);
        segmentation.activeSegmentation.setActiveSegmentation(id, segmentationId);
      }
      setUp(viewsGroup);
      return () => {
        groups.splice(groups.indexOf(viewsGroup), 1);
        for (const { id } of views) segmentation.removeSegmentationRepresentations(id, { segmentationId });
      };
    },
    navigating: () => active === navigation,
    whenToolChanges(listener) {
      toolChanged.add(listener);
      return () => toolChanged.delete(listener);
    },
    refresh() {
      segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(segmentationId);
      render();
    },
  };
  return labelmap;
}
