export {
  type ApiErrorBody,
  jsonError,
  notFound,
  parseJsonBody,
  parseQuery,
  unauthorized,
  unstorablePathResponse,
  validationError,
} from './errors';
export { type Authed, authed } from './route';
