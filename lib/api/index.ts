export {
  type ApiErrorBody,
  domainErrorBody,
  domainErrorResponse,
  jsonError,
  notFound,
  parseJsonBody,
  parseQuery,
  pathProblem,
  unauthorized,
  unstorablePathResponse,
  validationError,
} from './errors';
export { type Authed, authed, failureResponse } from './route';
export { type SignedIn, signedIn } from './signed-in';
