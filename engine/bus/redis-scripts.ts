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

/**
 * KEYS: counter, stream, idempotency key. ARGV: json head, json tail, max_events, now ms, cutoff ms,
 * channel, idempotency ttl ms ('' when the caller gave no id). Returns {1, offset} or {0, offset of the earlier publish}.
 */
export const PUBLISH_SCRIPT = `${TRIM_AGE}
local idem = ARGV[7] ~= ''
if idem then
  local prev = redis.call('GET', KEYS[3])
  if prev then return {0, tonumber(prev)} end
end
local off = redis.call('INCR', KEYS[1])
local offs = string.format('%d', off)
local env = ARGV[1] .. offs .. ARGV[2]
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], offs .. '-1', 'e', env, 't', ARGV[4])
if idem then redis.call('SET', KEYS[3], offs, 'PX', ARGV[7]) end
trim_age(KEYS[2], tonumber(ARGV[5]), 1)
redis.call('PUBLISH', ARGV[6], env)
return {1, off}
`

/**
 * KEYS: counter, stream. ARGV: after offset, limit, cutoff ms.
 * Returns {last offset, oldest retained offset (0 if none), {envelope json...}}.
 */
export const HISTORY_SCRIPT = `${TRIM_AGE}
trim_age(KEYS[2], tonumber(ARGV[3]), 64)
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
local oldest = 0
if #first > 0 then oldest = tonumber(string.match(first[1][1], '^(%d+)')) end
local from = math.max(tonumber(ARGV[1]) + 1, oldest)
local out = {}
if oldest > 0 and from <= last then
  local rows = redis.call('XRANGE', KEYS[2], string.format('%d-1', from), '+', 'COUNT', ARGV[2])
  for i, row in ipairs(rows) do out[i] = row[2][2] end
end
return {last, oldest, out}
`
