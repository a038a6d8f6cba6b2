export { type ApiErrorBody, jsonError, notFound, parseJsonBody, unauthorized, validationError } from './errors';
export { type Authed, authed } from './route';
