package dev.stackquery.storage.redis.internal

/** The glob metacharacters of Redis patterns (`SCAN MATCH`, `KEYS`): `*`, `?`, `[`, `]` and `\`. */
private const val GLOB_METACHARACTERS = "*?[]\\"

/**
 * A Redis glob pattern matching exactly the keys that start with [prefix]: every metacharacter of
 * [prefix] escaped with a backslash, then `*`. Other characters (unicode included) match
 * themselves, byte for byte.
 */
internal fun prefixPattern(prefix: String): String = buildString(prefix.length + 8) {
    for (c in prefix) {
        if (c in GLOB_METACHARACTERS) append('\\')
        append(c)
    }
    append('*')
}
