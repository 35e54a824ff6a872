// Cornerstone3D's tools, loaded by import() (toolsLoader.ts) once a viewer has drawn its first image: the mouse bindings
// of the stack and MPR viewers, as one tool group per viewer (wheel scrolls, left drag windows, middle drag pans, right
// drag zooms), and the brush and the rectangle, circle and sphere scissors the labelmap's tools are made of.

import { getEnabledElements, type Types } from '@cornerstonejs/core';
import {
  addTool,
  BrushTool,
  CircleScissorsTool,
  Enums as ToolEnums,
  init,
  PanTool,
  RectangleScissorsTool,
  SphereScissorsTool,
  StackScrollTool,
  state,
  store,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  type Types as ToolTypes,
} from '@cornerstonejs/tools';

/** Sets the tools up; once a page (toolsLoader.ts calls it). */
export function startTools(): void {
  init();
  for (const tool of [StackScrollTool, PanTool, ZoomTool, WindowLevelTool, BrushTool, RectangleScissorsTool, CircleScissorsTool, SphereScissorsTool]) addTool(tool);
  // The tools give a viewport its mouse listeners when it is enabled; the viewports enabled before they were loaded
  // (every viewer drawing its first image) are given them now, as that event would have.
  for (const { viewport, viewportId, renderingEngineId } of getEnabledElements()) {
    if (state.enabledElements.includes(viewport.element)) continue;
    const detail = { element: viewport.element, viewportId, renderingEngineId };
    store.addEnabledElement(new CustomEvent('CORNERSTONE_ELEMENT_ENABLED', { detail }) as Types.EventTypes.ElementEnabledEvent);
  }
}

export function navigationTools(toolGroupId: string, viewportIds: string[], renderingEngineId: string): ToolTypes.IToolGroup {
  const toolGroup = ToolGroupManager.createToolGroup(toolGroupId)!;
  for (const tool of [StackScrollTool, PanTool, ZoomTool, WindowLevelTool]) toolGroup.addTool(tool.toolName);
  viewportIds.forEach((viewportId) => toolGroup.addViewport(viewportId, renderingEngineId));
  toolGroup.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Wheel }] });
  toolGroup.setToolActive(WindowLevelTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Primary }] });
  toolGroup.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
  toolGroup.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });
  return toolGroup;
}

export function destroyToolGroup(toolGroupId: string): void {
  ToolGroupManager.destroyToolGroup(toolGroupId);
}
