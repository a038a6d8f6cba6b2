/**
 * The Lua scripts every instance runs against Redis: each is one atomic step, so two instances never
 * read the same state and both act on it. Loaded with defineCommand (EVALSHA, reloaded on NOSCRIPT).
 */

/**
 * A token bucket in a hash {t: tokens, u: updated at, x: blocked until}. The time is the caller's clock;
 * a bucket never goes back in time, so a caller whose clock lags only refills less. Written back with an
 * expiry at the moment it would be full again (a full bucket is the same as none).
 */
const bucketFunctions = `
local function load(key, rate, burst, now)
  local state = redis.call('HMGET', key, 't', 'u', 'x')
  local b = {tokens = tonumber(state[1]), updated = tonumber(state[2]), blocked = tonumber(state[3]) or 0}
  if b.tokens == nil then
    b.tokens = burst
    b.updated = now
  end
  if now > b.updated then
    b.tokens = math.min(burst, b.tokens + (now - b.updated) * rate)
    b.updated = now
  end
  return b
end
local function save(key, b, rate, burst, now)
  redis.call('HSET', key, 't', tostring(b.tokens), 'u', tostring(b.updated), 'x', tostring(b.blocked))
  redis.call('PEXPIRE', key, math.ceil((burst - b.tokens) / rate + math.max(0, b.blocked - now)) + 1000)
end
-- Takes a token now, or reserves one within maxWait (the caller waits); returns granted (0/1), wait ms.
local function take(b, rate, now, maxWait)
  local blockedMs = 0
  if b.blocked > now then blockedMs = b.blocked - now end
  if b.tokens >= 1 and blockedMs == 0 then
    b.tokens = b.tokens - 1
    return 1, 0
  end
  local wait = blockedMs
  if b.tokens < 1 then wait = math.max(wait, (1 - b.tokens) / rate) end
  if wait > maxWait then return 0, wait end
  b.tokens = b.tokens - 1
  return 1, wait
end
`;

/**
 * One bucket, KEYS[1]. ARGV: op ('acquire' | 'refund' | 'observe'), ratePerMs, burst, now, then for acquire
 * maxWaitMs, for observe remaining ('' for none) and blockedForMs ('' for none).
 * acquire returns {granted (0/1), waitMs as text}.
 */
const bucket = `${bucketFunctions}
local op = ARGV[1]
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local b = load(KEYS[1], rate, burst, now)
local result = 'OK'
if op == 'acquire' then
  local granted, wait = take(b, rate, now, tonumber(ARGV[5]))
  result = {granted, tostring(wait)}
elseif op == 'refund' then
  b.tokens = math.min(burst, b.tokens + 1)
elseif op == 'observe' then
  if ARGV[5] ~= '' then b.tokens = math.min(b.tokens, tonumber(ARGV[5])) end
  if ARGV[6] ~= '' then b.blocked = math.max(b.blocked, now + tonumber(ARGV[6])) end
end
save(KEYS[1], b, rate, burst, now)
return result
`;

/**
 * A caller's bucket (KEYS[1]) and the integration's (KEYS[2]) in one step: both give a token or neither
 * does. ARGV: ratePerMs, burst, now, maxWaitMs. Returns {granted, waitMs as text, refused by (1 caller,
 * 2 integration, 0 none)}.
 */
const bucketPair = `${bucketFunctions}
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local maxWait = tonumber(ARGV[4])
local caller = load(KEYS[1], rate, burst, now)
local granted, callerWait = take(caller, rate, now, maxWait)
if granted == 0 then return {0, tostring(callerWait), 1} end
local integration = load(KEYS[2], rate, burst, now)
local shared, sharedWait = take(integration, rate, now, maxWait)
if shared == 0 then return {0, tostring(sharedWait), 2} end
save(KEYS[1], caller, rate, burst, now)
save(KEYS[2], integration, rate, burst, now)
return {1, tostring(math.max(callerWait, sharedWait)), 0}
`;

/** One of ARGV[1] half-open probes: 1 if this caller's INCR is within them. The counter expires after ARGV[2] ms. */
const probe = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n <= tonumber(ARGV[1]) then return 1 end
return 0
`;

/**
 * Stores a cache entry (KEYS[1], value ARGV[1], kept ARGV[2] ms) and records it in the integration's
 * index (KEYS[2], a sorted set by insertion time ARGV[3]); past ARGV[4] entries, the oldest are deleted.
 */
const cacheSet = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if excess > 0 then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, excess - 1)
  for _, key in ipairs(oldest) do redis.call('DEL', key) end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, excess - 1)
end
return excess
`;

export const SCRIPTS = {
  bwBucket: { numberOfKeys: 1, lua: bucket },
  bwBucketPair: { numberOfKeys: 2, lua: bucketPair },
  bwProbe: { numberOfKeys: 1, lua: probe },
  bwCacheSet: { numberOfKeys: 2, lua: cacheSet },
} as const;

export type ScriptName = keyof typeof SCRIPTS;
