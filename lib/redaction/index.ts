export {
  DEFAULT_BODY_CAP_BYTES,
  isSensitiveName,
  REDACTED,
  type RedactionRules,
  redactBody,
  redactHeaders,
  redactParameters,
  redactText,
  scrubSecrets,
  secretEncodings,
} from './redact';
