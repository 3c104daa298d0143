package dev.stackquery.internal.client

import dev.stackquery.QueryKey

/**
 * Defaults registered by key prefix (a client's query or mutation defaults): setting a prefix
 * again replaces its value in place. Reads are lock-free (a copy-on-write array); [version] is 0
 * until the first [set], so the hot paths skip everything with one volatile read while nothing is
 * registered.
 */
internal class PrefixDefaults<D : Any>(private val merge: (D, D) -> D) {
    private class Entry<D>(val prefix: QueryKey, val value: D)

    @Volatile
    private var entries: Array<Entry<D>> = emptyArray()

    /** Bumped by every [set]; 0 while nothing was ever registered. */
    @Volatile
    var version: Long = 0L
        private set

    /** Registers [value] for every key starting with [prefix], replacing what [prefix] had. */
    fun set(prefix: QueryKey, value: D): Unit = synchronized(this) {
        val current = entries
        val at = current.indexOfFirst { it.prefix == prefix }

        @Suppress("UNCHECKED_CAST") // the copy holds only Entry<D>
        val next = current.copyOf(if (at < 0) current.size + 1 else current.size) as Array<Entry<D>>
        next[if (at < 0) current.size else at] = Entry(prefix, value)
        entries = next
        version++
    }

    /**
     * The values of every prefix [key] starts with, merged least specific first (shorter prefixes
     * first, then in registration order), so the most specific wins; `null` when none matches.
     */
    fun matching(key: QueryKey): D? {
        val matches = entries.filter { key.startsWith(it.prefix) }
        if (matches.isEmpty()) return null
        return matches.sortedBy { it.prefix.size }.map { it.value }.reduce(merge)
    }
}
