export { SharedBreakers } from './breakers';
export { RedisCacheStore } from './cache-store';
export { RedisRateLimitStore } from './rate-limit-store';
export { SharedRedis, type SharedRedisHealth, type SharedRedisOptions } from './redis';
export { closeSharedState, SharedState, sharedState } from './state';
