export {
  type ApiErrorBody,
  jsonError,
  notFound,
  parseJsonBody,
  parseQuery,
  unauthorized,
  validationError,
} from './errors';
export { type Authed, authed } from './route';
