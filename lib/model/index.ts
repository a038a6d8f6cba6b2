export { applyPatch, type Patch, patchOf } from './patch';
