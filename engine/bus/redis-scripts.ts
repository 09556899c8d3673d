/**
 * Lua run inside Redis so that offset assignment, append, trimming and fan-out are one atomic step:
 * every node sees the same order because the PUBLISH happens in the same script as the INCR.
 *
 * Stream entries are `<offset>-1` with fields `e` (the envelope JSON) and `t` (receive time, ms), so
 * XRANGE by offset is direct and age trimming can find the first entry young enough to keep.
 */

// Drops entries received before the cutoff (KEYS[2] stream, cutoff in `cutoff`); bounded work per call.
const TRIM_AGE = `
local function trim_age(stream, cutoff, rounds)
  for _ = 1, rounds do
    local first = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
    if #first == 0 or tonumber(first[1][2][4]) >= cutoff then return end
    local batch = redis.call('XRANGE', stream, '-', '+', 'COUNT', 512)
    local keep = nil
    for _, entry in ipairs(batch) do
      if tonumber(entry[2][4]) >= cutoff then keep = entry[1]; break end
    end
    if keep then
      redis.call('XTRIM', stream, 'MINID', keep)
      return
    end
    local n = tonumber(string.match(batch[#batch][1], '^(%d+)'))
    redis.call('XTRIM', stream, 'MINID', string.format('%d-0', n + 1))
  end
end
`

// A stream's meta hash holds its offset counter and epoch, in one key so that they are lost together
// (FLUSHALL, a restart without persistence, eviction). A missing meta starts a new epoch, and entries
// left from the lost one are dropped: their offsets would be reused.
const ENSURE_META = `
local function ensure_meta(meta, stream, fresh)
  local epoch = redis.call('HGET', meta, 'epoch')
  if epoch then return epoch end
  redis.call('DEL', stream)
  redis.call('HSET', meta, 'epoch', fresh, 'offset', 0)
  return fresh
end
`

/**
 * Publishes a batch atomically (one script: no other publish interleaves, and a retry after an error
 * reply finds either all or none of it). KEYS: per item meta, stream, idempotency key.
 * ARGV: now ms, cutoff ms, max_events, channel, idempotency ttl ms, new epoch, then per item json head,
 * json tail, and '1' when the caller gave an id. Returns a flat list: per item {fresh 1|0, offset, epoch}.
 * The fan-out message is `<epoch>\n<envelope json>`: JSON never contains a raw newline.
 */
export const PUBLISH_SCRIPT = `${TRIM_AGE}${ENSURE_META}
local now, cutoff, maxlen, channel, ttl, fresh = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local out = {}
for i = 0, #KEYS / 3 - 1 do
  local meta, stream, idemkey = KEYS[i * 3 + 1], KEYS[i * 3 + 2], KEYS[i * 3 + 3]
  local head, tail, idem = ARGV[7 + i * 3], ARGV[8 + i * 3], ARGV[9 + i * 3] == '1'
  local epoch = ensure_meta(meta, stream, fresh)
  local prev = idem and redis.call('GET', idemkey)
  if prev then
    out[#out + 1] = 0; out[#out + 1] = tonumber(prev); out[#out + 1] = epoch
  else
    local off = redis.call('HINCRBY', meta, 'offset', 1)
    local offs = string.format('%d', off)
    local env = head .. offs .. tail
    redis.call('XADD', stream, 'MAXLEN', maxlen, offs .. '-1', 'e', env, 't', now)
    if idem then redis.call('SET', idemkey, offs, 'PX', ttl) end
    trim_age(stream, cutoff, 1)
    redis.call('PUBLISH', channel, epoch .. '\\n' .. env)
    out[#out + 1] = 1; out[#out + 1] = off; out[#out + 1] = epoch
  end
end
return out
`

/**
 * KEYS: meta, stream. ARGV: after offset, limit (0: position only), cutoff ms, new epoch.
 * Returns {last offset, oldest retained offset (0 if none), epoch, {envelope json...}}.
 */
export const HISTORY_SCRIPT = `${TRIM_AGE}${ENSURE_META}
local epoch = ensure_meta(KEYS[1], KEYS[2], ARGV[4])
trim_age(KEYS[2], tonumber(ARGV[3]), 64)
local last = tonumber(redis.call('HGET', KEYS[1], 'offset') or '0')
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
local oldest = 0
if #first > 0 then oldest = tonumber(string.match(first[1][1], '^(%d+)')) end
local from = math.max(tonumber(ARGV[1]) + 1, oldest)
local out = {}
if oldest > 0 and from <= last and tonumber(ARGV[2]) > 0 then
  local rows = redis.call('XRANGE', KEYS[2], string.format('%d-1', from), '+', 'COUNT', ARGV[2])
  for i, row in ipairs(rows) do out[i] = row[2][2] end
end
return {last, oldest, epoch, out}
`
