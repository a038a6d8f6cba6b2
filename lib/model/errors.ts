/** One problem with one input field, as the API's 400s list them (lib/api's ApiErrorBody). */
export interface FieldIssue {
  field: string;
  message: string;
}

// A registered symbol, not the class, marks a DomainError: Next bundles a module once per bundle, so an
// error thrown from one copy of a class fails `instanceof` against another copy; Symbol.for is one symbol
// for the whole process.
const DOMAIN_ERROR = Symbol.for('breakwater.DomainError');

/**
 * Base of every error a domain folder throws for something the caller can fix: bad input found against
 * stored state, a conflict, a refusal. The domain says what went wrong (message, field) and how serious
 * (status, code); `authed` in lib/api alone turns it into an HTTP answer. Messages name fields and
 * variables, never secret values.
 */
export class DomainError extends Error {
  readonly [DOMAIN_ERROR] = true;
  /** Field-level detail for the answer; without it the answer names `field` with the whole message. */
  readonly issues?: FieldIssue[];

  constructor(
    message: string,
    /** The HTTP status the API answers with: 400 bad input, 404, 409 conflict, 503 unavailable. */
    readonly status: number,
    /** Stable, low-cardinality name of the error for logs and clients. */
    readonly code: string,
    /** The input field at fault, as a validation error names it ('integration', 'edit.path'). */
    readonly field?: string,
    issues?: FieldIssue[],
  ) {
    super(message);
    this.name = new.target.name;
    if (issues) this.issues = issues;
  }
}

/** True for a DomainError from any bundle's copy of this module. */
export function isDomainError(error: unknown): error is DomainError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[DOMAIN_ERROR] === true;
}
