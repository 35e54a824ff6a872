// What the study viewer (pages/viewer.ts) needs of Cornerstone3D, in one chunk loaded with import(): the page lays out
// its series browser and a stack's markup, and draws the first image's preview, while this (most of the app's code) loads.

export { RenderingEngine } from '@cornerstonejs/core';
export { startCornerstone } from './cornerstone';
export { openMpr } from './mprViewer';
export { referenceLines } from './referenceLineOverlay';
export { scrollTogether } from './scrollTogether';
export { openStack } from './stackViewer';
