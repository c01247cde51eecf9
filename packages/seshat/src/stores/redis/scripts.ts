import { createHash } from 'node:crypto';

/**
 * The Lua scripts of the Redis session tier. Each runs atomically on the Redis server, which is what makes a touch
 * conditional ("never resurrect a revoked session"), a revocation "true only the first time", and a GC delete safe
 * against a concurrent touch: the check and the write happen with nothing in between.
 *
 * Keys (under the store's prefix `P`):
 * - `P s:<id>`    hash, one session; field names are `SessionRecord`'s (see fields.ts);
 * - `P ids`       sorted set of every stored session id, score 0 (lexicographic keyset order for GC and anonymising);
 * - `P live`      sorted set of unrevoked session ids, scored by the minute of last activity: ZRANGE … REV is the
 *                  team list's order (minute, then id, descending); counts and revoke-all walk it too;
 * - `P u:<user>`  sorted set of one user's unrevoked session ids by last activity (ms: that list's exact order).
 * Scripts name keys they compute from ids (not declared in KEYS): the tier needs one Redis primary (or Valkey), not
 * a Cluster (docs/design-notes.md, "Redis session tier").
 */

const PRELUDE = `
local P = ARGV[1]
local NULL = cjson.null
local function skey(id) return P .. 's:' .. id end
local function ukey(user) return P .. 'u:' .. user end
-- The live index's score: the minute of last activity, so ZRANGE … REV gives the team list's order (minute, then id).
local function minute(at) return math.floor(tonumber(at) / 60000) end
-- Ends one session if it is still unrevoked; returns {id, userId, ip} or nil. A dangling index entry is dropped.
local function revoke(id, at, reason, note)
  local key = skey(id)
  local h = redis.call('HMGET', key, 'userId', 'revokedAt', 'ip')
  if not h[1] then redis.call('ZREM', P .. 'live', id) return nil end
  if h[2] then return nil end
  redis.call('HSET', key, 'revokedAt', at, 'revokedReason', reason)
  if note ~= NULL then redis.call('HSET', key, 'revokedNote', note) else redis.call('HDEL', key, 'revokedNote') end
  redis.call('ZREM', P .. 'live', id)
  redis.call('ZREM', ukey(h[1]), id)
  return {id, h[1], h[3]}
end
local function revoked_list(list, at, reason, note, except)
  local out = {}
  for _, id in ipairs(list) do
    if id ~= except then
      local r = revoke(id, at, reason, note)
      if r then out[#out + 1] = r[1]; out[#out + 1] = r[2]; out[#out + 1] = r[3] or false end
    end
  end
  return out
end
-- The live condition (src/stores/sql.ts liveSessionCondition, src/core/settings.ts isExpired) on the fields
-- {revokedAt, createdAt, persistent, lastActiveAt} of one hash (HMGET in this order), under one set of cutoffs.
local function is_live(h, c)
  if h[1] then return false end
  local created = tonumber(h[2])
  if created <= c.cb then return false end
  local persistent = h[3] == '1'
  if c.rcb and persistent and created <= c.rcb then return false end
  if c.ib then
    local active = tonumber(h[4]) > c.ib
    if c.rcb then
      if not (persistent or active) then return false end
    elseif not active then return false end
  end
  return true
end
-- The cutoffs JSON of \`cutoffsJson\` (redis-sessions.ts): everyone's, and those of people under a session policy.
local function read_cutoffs(json)
  local j = cjson.decode(json)
  local function mk(x)
    local c = { cb = tonumber(x.cb), rcb = false, ib = false }
    if x.rcb ~= NULL then c.rcb = tonumber(x.rcb) end
    if x.ib ~= NULL then c.ib = tonumber(x.ib) end
    return c
  end
  local C = { default = mk(j), byUser = {} }
  for _, e in ipairs(j.ex) do
    local c = mk(e)
    for _, u in ipairs(e.users) do if not C.byUser[u] then C.byUser[u] = c end end
  end
  return C
end
local function cutoffs_for(C, user) return C.byUser[user] or C.default end
local function live(key, C, user)
  return is_live(redis.call('HMGET', key, 'revokedAt', 'createdAt', 'persistent', 'lastActiveAt'), cutoffs_for(C, user))
end
local function num(v) if v == '' then return false end return tonumber(v) end
`;

/** A script and its SHA-1 (EVALSHA first, EVAL once the server does not know it). */
export interface Script {
  /** The Lua source (the shared prelude and the script's body). */
  readonly source: string;
  /** Its SHA-1, as EVALSHA names it. */
  readonly sha: string;
}

function script(body: string): Script {
  const source = PRELUDE + body;
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** ARGV: P, id, userId, lastActiveAt, revoked ('1'|'0'), then field/value pairs. Errors SESHAT_DUPLICATE on a taken id. */
export const INSERT = script(`
local id, user, at, revoked = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local key = skey(id)
if redis.call('EXISTS', key) == 1 then return redis.error_reply('SESHAT_DUPLICATE session id') end
redis.call('HSET', key, unpack(ARGV, 6))
redis.call('ZADD', P .. 'ids', 0, id)
if revoked == '0' then
  redis.call('ZADD', P .. 'live', minute(at), id)
  redis.call('ZADD', ukey(user), at, id)
end
return 1
`);

/** ARGV: P, id, lastActiveAt, requests, lastPath ('' with ARGV[6] = '0' for none). 1 if a live row was touched. */
export const TOUCH = script(`
local id, at, n, path, hasPath = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local key = skey(id)
local h = redis.call('HMGET', key, 'userId', 'revokedAt')
if not h[1] or h[2] then return 0 end
redis.call('HSET', key, 'lastActiveAt', at)
redis.call('HINCRBY', key, 'requests', n)
if hasPath == '1' then redis.call('HSET', key, 'lastPath', path) else redis.call('HDEL', key, 'lastPath') end
redis.call('ZADD', P .. 'live', minute(at), id)
redis.call('ZADD', ukey(h[1]), at, id)
return 1
`);

/**
 * ARGV: P, JSON [{id, at, n, path, ip, loc, lk}] (touchRow, numbers as strings). Last-active only rises; returns the
 * ids of the live rows it touched.
 */
export const TOUCH_BATCH = script(`
local touched = {}
for _, t in ipairs(cjson.decode(ARGV[2])) do
  local key = skey(t.id)
  local h = redis.call('HMGET', key, 'userId', 'revokedAt', 'lastActiveAt')
  if h[1] and not h[2] then
    local at = t.at
    if tonumber(h[3]) > tonumber(at) then at = h[3] end
    redis.call('HSET', key, 'lastActiveAt', at)
    redis.call('HINCRBY', key, 'requests', t.n)
    if t.path ~= NULL then redis.call('HSET', key, 'lastPath', t.path) end
    if t.ip ~= NULL then
      redis.call('HSET', key, 'ip', t.ip)
      if t.lk == 1 then
        if t.loc == NULL then redis.call('HDEL', key, 'location') else redis.call('HSET', key, 'location', t.loc) end
      end
    end
    redis.call('ZADD', P .. 'live', minute(at), t.id)
    redis.call('ZADD', ukey(h[1]), at, t.id)
    touched[#touched + 1] = t.id
  end
end
return touched
`);

/**
 * ARGV: P, id, JSON {set: {field: value}, del: [field], unset: field|null}: changes a live session's fields only if it
 * is unrevoked (and, with \`unset\`, only while that field is absent: a device key is never replaced). 1 if changed.
 */
export const UPDATE_LIVE = script(`
local key = skey(ARGV[2])
local change = cjson.decode(ARGV[3])
local h = redis.call('HMGET', key, 'userId', 'revokedAt')
if not h[1] or h[2] then return 0 end
if change.unset ~= NULL and redis.call('HEXISTS', key, change.unset) == 1 then return 0 end
for field, value in pairs(change.set) do redis.call('HSET', key, field, value) end
for _, field in ipairs(change.del) do redis.call('HDEL', key, field) end
return 1
`);

/** ARGV: P, at, reason, note JSON (string or null), JSON [ids]. Returns flat [id, userId, ip, …] of those it ended. */
export const REVOKE_IDS = script(`
return revoked_list(cjson.decode(ARGV[5]), ARGV[2], ARGV[3], cjson.decode(ARGV[4]), nil)
`);

/** ARGV: P, at, reason, note JSON, userId, exceptId (''). Ends the user's unrevoked sessions; flat [id, userId, ip, …]. */
export const REVOKE_USER = script(`
local except = ARGV[6]
if except == '' then except = nil end
return revoked_list(redis.call('ZRANGE', ukey(ARGV[5]), 0, -1), ARGV[2], ARGV[3], cjson.decode(ARGV[4]), except)
`);

/** ARGV: P, at, reason, note JSON, batch size. Ends up to a batch of unrevoked sessions; returns {how many it looked at, flat [id, userId, ip, …]}. */
export const REVOKE_LIVE_BATCH = script(`
local ids = redis.call('ZRANGE', P .. 'live', 0, tonumber(ARGV[5]) - 1)
return {#ids, revoked_list(ids, ARGV[2], ARGV[3], cjson.decode(ARGV[4]), nil)}
`);

/**
 * ARGV: P, afterId ('' = from the start), limit, cutoffs JSON, endedBefore (''). One GC step in id order: deletes the dead rows of the window, re-checked here so a touch that
 * landed meanwhile keeps its session. Returns {scanned, deleted, lastId, expired (of deleted, those never ended)}.
 */
export const COLLECT = script(`
local from = '-'
if ARGV[2] ~= '' then from = '(' .. ARGV[2] end
local ids = redis.call('ZRANGE', P .. 'ids', from, '+', 'BYLEX', 'LIMIT', 0, tonumber(ARGV[3]))
local C, eb = read_cutoffs(ARGV[4]), num(ARGV[5])
local deleted, expired = 0, 0
for _, id in ipairs(ids) do
  local key = skey(id)
  local h = redis.call('HMGET', key, 'userId', 'revokedAt')
  if not h[1] then
    redis.call('ZREM', P .. 'ids', id)
  elseif not live(key, C, h[1]) and (not eb or not h[2] or tonumber(h[2]) <= eb) then
    redis.call('DEL', key)
    redis.call('ZREM', P .. 'ids', id)
    redis.call('ZREM', P .. 'live', id)
    redis.call('ZREM', ukey(h[1]), id)
    deleted = deleted + 1
    if not h[2] then expired = expired + 1 end
  end
end
return {#ids, deleted, ids[#ids] or false, expired}
`);

/**
 * ARGV: P, JSON [{id, old, ip, oldSignIn, signIn}]: rewrites stored addresses, each only if it is still the one read
 * (a touch that wrote a newer address meanwhile wins).
 */
export const REWRITE_IPS = script(`
local function swap(key, field, old, new)
  local current = redis.call('HGET', key, field)
  if (current or NULL) ~= old then return end
  if new == NULL then redis.call('HDEL', key, field) else redis.call('HSET', key, field, new) end
end
for _, c in ipairs(cjson.decode(ARGV[2])) do
  local key = skey(c.id)
  if redis.call('EXISTS', key) == 1 then
    swap(key, 'ip', c.old, c.ip)
    swap(key, 'signInIp', c.oldSignIn, c.signIn)
  end
end
return 1
`);

/**
 * Undo of a transaction's single-row write. ARGV: P, id, JSON snapshot of the hash before (null: there was none).
 * Puts the row and its index entries back as they were.
 */
export const RESTORE = script(`
local id = ARGV[2]
local snapshot = cjson.decode(ARGV[3])
local key = skey(id)
local user = redis.call('HGET', key, 'userId')
if user then redis.call('ZREM', P .. 'live', id); redis.call('ZREM', ukey(user), id) end
redis.call('DEL', key)
redis.call('ZREM', P .. 'ids', id)
if snapshot ~= NULL then
  for field, value in pairs(snapshot) do redis.call('HSET', key, field, value) end
  redis.call('ZADD', P .. 'ids', 0, id)
  if not snapshot.revokedAt then
    redis.call('ZADD', P .. 'live', minute(snapshot.lastActiveAt), id)
    redis.call('ZADD', ukey(snapshot.userId), snapshot.lastActiveAt, id)
  end
end
return 1
`);

/** Undo of a transaction's revocations. ARGV: P, at, reason, JSON [ids]: un-ends those this revocation ended, no others. */
export const UNREVOKE = script(`
for _, id in ipairs(cjson.decode(ARGV[4])) do
  local key = skey(id)
  local h = redis.call('HMGET', key, 'userId', 'revokedAt', 'revokedReason', 'lastActiveAt')
  if h[1] and h[2] == ARGV[2] and h[3] == ARGV[3] then
    redis.call('HDEL', key, 'revokedAt', 'revokedReason', 'revokedNote')
    redis.call('ZADD', P .. 'live', minute(h[4]), id)
    redis.call('ZADD', ukey(h[1]), h[4], id)
  end
end
return 1
`);

/**
 * One step of a walk over live sessions (counts, per-user stats, filters), evaluated here so that only the answer
 * crosses the network. ARGV: P, index ('live' or 'u:<user>'), ZSCAN cursor, count, cutoffs JSON, filter JSON ('' none:
 * \`sessionMatchCondition\` of src/stores/sql.ts,
 * as \`matches\` below), revocation JSON ('' none: {at, reason, note, except} ends each match but \`except\`, and
 * answers only those it ended), shape ('ids', 'full', or a breakdown key: 'country', 'deviceType', 'user'). Returns
 * {next cursor, flat [id, …]}, {next cursor, flat [id, userId, ip, lastActiveAt, bound ('1'|'0'), …]} or {next cursor,
 * flat [id, key or null, …]}.
 */
export const SCAN_LIVE = script(`
local function in_list(list, v)
  if v == nil or v == NULL then return false end
  for _, x in ipairs(list) do if x == v then return true end end
  return false
end
local function field(json, name)
  if not json then return nil end
  local ok, t = pcall(cjson.decode, json)
  if not ok or type(t) ~= 'table' then return nil end
  local v = t[name]
  if v == NULL then return nil end
  return v
end
-- h: revokedAt, createdAt, persistent, lastActiveAt, userId, ip, location, device, risk, deviceKey
local function matches(m, h)
  if m.userIds ~= nil and not in_list(m.userIds, h[5]) then return false end
  if m.countryCodes ~= nil and not in_list(m.countryCodes, field(h[7], 'countryCode')) then return false end
  if m.deviceTypes ~= nil and not in_list(m.deviceTypes, field(h[8], 'deviceType')) then return false end
  if m.deviceLabel ~= nil and field(h[8], 'label') ~= m.deviceLabel then return false end
  if m.suspicious ~= nil and ((field(h[9], 'suspicious') == true) ~= m.suspicious) then return false end
  if m.persistent ~= nil and ((h[3] == '1') ~= m.persistent) then return false end
  local created, active = tonumber(h[2]), tonumber(h[4])
  if m.createdBefore ~= nil and not (created < m.createdBefore) then return false end
  if m.createdAfter ~= nil and not (created > m.createdAfter) then return false end
  if m.lastActiveBefore ~= nil and not (active < m.lastActiveBefore) then return false end
  if m.lastActiveAfter ~= nil and not (active > m.lastActiveAfter) then return false end
  return true
end
local res = redis.call('ZSCAN', P .. ARGV[2], ARGV[3], 'COUNT', ARGV[4])
local C = read_cutoffs(ARGV[5])
local m = nil
if ARGV[6] ~= '' then m = cjson.decode(ARGV[6]) end
local r = nil
if ARGV[7] ~= '' then r = cjson.decode(ARGV[7]) end
local out = {}
local members = res[2]
for i = 1, #members, 2 do
  local id = members[i]
  local h = redis.call('HMGET', skey(id), 'revokedAt', 'createdAt', 'persistent', 'lastActiveAt', 'userId', 'ip', 'location', 'device', 'risk', 'deviceKey')
  if h[5] and is_live(h, cutoffs_for(C, h[5])) and (not m or matches(m, h)) and (not r or (id ~= r.except and revoke(id, r.at, r.reason, r.note))) then
    out[#out + 1] = id
    local shape = ARGV[8]
    if shape == 'country' then out[#out + 1] = field(h[7], 'countryCode') or false
    elseif shape == 'deviceType' then out[#out + 1] = field(h[8], 'deviceType') or false
    elseif shape == 'user' then out[#out + 1] = h[5]
    elseif shape == 'full' then
      out[#out + 1] = h[5]
      out[#out + 1] = h[6] or false
      out[#out + 1] = h[4]
      if h[10] then out[#out + 1] = '1' else out[#out + 1] = '0' end
    end
  end
end
return {res[1], out}
`);
