export { BODY_CAPTURE_MODES, type BodyCapture } from './capture';
export { applyPatch, type Patch, patchOf } from './patch';
