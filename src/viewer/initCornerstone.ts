/**
 * One-time Cornerstone3D initialisation (core, then tools, then the tools we
 * use). Cornerstone's own singletons (cache, eventTarget, tool registry) stay
 * behind this module and the adapter.
 *
 * The dicom-image-loader is not initialised: our DICOM is parsed by our own
 * worker (src/core/dicom) and registered as a local volume, so its decode
 * workers would only cost memory.
 */
import { init as initCore, type Types } from '@cornerstonejs/core';
import {
  addTool,
  AngleTool,
  init as initTools,
  LengthTool,
  PanTool,
  TrackballRotateTool,
  WindowLevelTool,
  ZoomTool,
} from '@cornerstonejs/tools';

let initialized = false;

export function initCornerstone(): void {
  if (initialized) return;
  // One shared WebGL context for all viewports: software WebGL (SwiftShader)
  // pays for every context in memory and start-up time. init() deep-merges
  // this into its defaults, so a partial config is enough.
  initCore({ rendering: { webGlContextCount: 1 } } as Partial<Types.Cornerstone3DConfig> as Types.Cornerstone3DConfig);
  initTools();
  for (const tool of [WindowLevelTool, PanTool, ZoomTool, LengthTool, AngleTool, TrackballRotateTool]) addTool(tool);
  initialized = true;
}
