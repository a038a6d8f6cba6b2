export { BODY_CAPTURE_MODES, type BodyCapture } from './capture';
export { DomainError, type FieldIssue, isDomainError } from './errors';
export { GATEWAY_RAW_QUERY_HEADER } from './gateway';
export { applyPatch, type Patch, patchOf } from './patch';
export { instantSchema, rangeQuerySchema } from './time';
