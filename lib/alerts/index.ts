export { AlertConflictError } from './service';
