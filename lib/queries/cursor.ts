import { DomainError } from '@/lib/model';

/** A cursor the API did not hand out (400, naming the `cursor` field). */
export class BadCursorError extends DomainError {
  constructor(reason: string) {
    super(`invalid cursor: ${reason}`, 400, 'bad_cursor', 'cursor');
  }
}

/**
 * The keyset position (time, id) of a row as an opaque string, for the explorers that page newest first
 * (the call log by startedAt, webhook events by receivedAt).
 */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.getTime()}:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString();
  const colon = text.indexOf(':');
  const at = Number(text.slice(0, colon));
  if (colon < 1 || !Number.isFinite(at)) throw new BadCursorError('is not a cursor this API returned');
  return { at: new Date(at), id: text.slice(colon + 1) };
}
