export { SharedBreakers } from './breakers';
export { RedisCacheStore } from './cache-store';
export {
  type IdempotencyClaim,
  type IdempotencyStore,
  type IdempotentAnswer,
  MemoryIdempotencyStore,
  RedisIdempotencyStore,
} from './idempotency';
export { RedisRateLimitStore } from './rate-limit-store';
export { SharedRedis, type SharedRedisHealth, type SharedRedisOptions } from './redis';
export { closeSharedState, idempotencyStore, SharedState, sharedState } from './state';
