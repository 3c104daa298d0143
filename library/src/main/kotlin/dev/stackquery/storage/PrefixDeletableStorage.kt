package dev.stackquery.storage

/**
 * A [StorageBackend] that removes every key starting with a prefix. A client uses it so that
 * `removeQueries(prefix)` also removes persisted entries it does not hold in memory.
 */
public interface PrefixDeletableStorage : StorageBackend {
    /**
     * Removes every entry whose key starts with [prefix] (compared character by character: no
     * character of [prefix] is a wildcard) and returns how many were removed (expired entries
     * may or may not be counted). An empty [prefix] removes everything this storage holds.
     */
    public suspend fun deleteByPrefix(prefix: String): Long
}
