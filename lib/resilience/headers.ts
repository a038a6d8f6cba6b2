import { z } from 'zod';

// RFC 9110 field names are tokens; values are visible ASCII, space, tab and obs-text. Anything else (CR, LF,
// NUL, non-Latin-1 text) is refused by Node's HTTP stack when the header is sent, which would surface
// as a failed call long after the configuration was saved; so it is refused when it is saved.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** An HTTP header name (an RFC 9110 token). */
export const headerNameSchema = z.string().max(256).regex(TOKEN, 'must be an HTTP header name');

/** An HTTP header value: no CR, LF, NUL or other control characters. */
export const headerValueSchema = z
  .string()
  .max(8192)
  .regex(FIELD_VALUE, 'must be an HTTP header value (no control characters)');

/** Names and values of headers to send, both checked. */
export const headersRecordSchema = z.record(headerNameSchema, headerValueSchema);
