// What the stack and MPR viewers share: the mouse bindings as one tool group per viewer (wheel scrolls, left drag windows,
// middle drag pans, right drag zooms), and a toolbar button per window preset.

import {
  Enums as ToolEnums,
  PanTool,
  StackScrollTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  type Types as ToolTypes,
} from '@cornerstonejs/tools';
import type { Preset } from './windowPresets';

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

export function presetButtons(toolbar: HTMLElement, presets: Preset[], apply: (preset: Preset) => void): void {
  for (const preset of presets) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = preset.label;
    button.onclick = () => apply(preset);
    toolbar.append(button);
  }
}

/** Empties `host` for a viewer and gives it its toolbar. */
export function viewerToolbar(host: HTMLElement): HTMLElement {
  host.innerHTML = '';
  host.classList.add('viewer');
  const toolbar = document.createElement('div');
  toolbar.className = 'toolbar';
  toolbar.setAttribute('role', 'toolbar');
  return toolbar;
}
