package dev.stackquery.storage.redis.internal

/**
 * The Lua script behind `RedisStorage.setAll`: one command, so the whole batch is written in one
 * round trip and atomically (no other client sees half of it), in order (a key that appears twice
 * ends with its last entry). `KEYS[i]` is a key; `ARGV[2i-1]` its value; `ARGV[2i]` its TTL in
 * milliseconds, [NO_EXPIRY] for none, or [DELETE] to remove the key (a zero or negative TTL).
 */
internal object SetAllScript {
    const val NO_EXPIRY: String = ""
    const val DELETE: String = "-"

    const val SOURCE: String = """
for i, key in ipairs(KEYS) do
  local ttl = ARGV[2 * i]
  if ttl == '$NO_EXPIRY' then
    redis.call('SET', key, ARGV[2 * i - 1])
  elseif ttl == '$DELETE' then
    redis.call('DEL', key)
  else
    redis.call('SET', key, ARGV[2 * i - 1], 'PX', ttl)
  end
end
return #KEYS
"""
}
