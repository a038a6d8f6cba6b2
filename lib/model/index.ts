export { GATEWAY_RAW_QUERY_HEADER } from './gateway';
export { instantSchema, rangeQuerySchema } from './time';
