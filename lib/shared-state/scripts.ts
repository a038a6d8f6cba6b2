/**
 * The Lua scripts every instance runs against Redis: each is one atomic step, so two instances never
 * read the same state and both act on it. Loaded with defineCommand (EVALSHA, reloaded on NOSCRIPT).
 */

/**
 * A token bucket in a hash {t: tokens, u: updated at, x: blocked until}. The time is the caller's
 * clock (ARGV[4]); a bucket never goes back in time, so a caller whose clock lags only refills less.
 * ARGV: op ('acquire' | 'refund' | 'observe'), ratePerMs, burst, now, then for acquire maxWaitMs, for
 * observe remaining ('' for none) and blockedForMs ('' for none).
 * acquire returns {granted (0/1), waitMs as text}.
 */
const bucket = `
local op = ARGV[1]
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 't', 'u', 'x')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
local blocked = tonumber(state[3]) or 0
if tokens == nil then
  tokens = burst
  updated = now
end
if now > updated then
  tokens = math.min(burst, tokens + (now - updated) * rate)
  updated = now
end
local result = 'OK'
if op == 'acquire' then
  local maxWait = tonumber(ARGV[5])
  local blockedMs = 0
  if blocked > now then blockedMs = blocked - now end
  if tokens >= 1 and blockedMs == 0 then
    tokens = tokens - 1
    result = {1, '0'}
  else
    local wait = blockedMs
    if tokens < 1 then wait = math.max(wait, (1 - tokens) / rate) end
    if wait > maxWait then
      result = {0, tostring(wait)}
    else
      tokens = tokens - 1
      result = {1, tostring(wait)}
    end
  end
elseif op == 'refund' then
  tokens = math.min(burst, tokens + 1)
elseif op == 'observe' then
  if ARGV[5] ~= '' then tokens = math.min(tokens, tonumber(ARGV[5])) end
  if ARGV[6] ~= '' then blocked = math.max(blocked, now + tonumber(ARGV[6])) end
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', tostring(updated), 'x', tostring(blocked))
-- A bucket refilled to full is the same as none: it expires then.
local idle = math.ceil((burst - tokens) / rate + math.max(0, blocked - now)) + 1000
redis.call('PEXPIRE', KEYS[1], idle)
return result
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
  bwProbe: { numberOfKeys: 1, lua: probe },
  bwCacheSet: { numberOfKeys: 2, lua: cacheSet },
} as const;

export type ScriptName = keyof typeof SCRIPTS;
