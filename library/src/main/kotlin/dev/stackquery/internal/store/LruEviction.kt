package dev.stackquery.internal.store

import dev.stackquery.internal.query.Query

/**
 * Picks the least recently used inactive query to evict, by last access time at clock-millisecond
 * resolution (ties: oldest created first). Candidates are found by one scan of [queries] and kept
 * in order for later evictions, so a full cache pays about one scan per `size / 16` evictions; a
 * candidate used, activated or removed since the scan is skipped ([isCurrent]), and the
 * candidates are dropped when a query that may be older than them becomes inactive.
 *
 * Not thread-safe: the store's lock guards it, except [onBecameInactive], which only sets a flag.
 */
internal class LruEviction(
    private val queries: () -> Collection<Query<*>>,
    private val isCurrent: (Query<*>) -> Boolean,
) {
    private class Candidate(val query: Query<*>, val lastAccess: Long)

    private val candidates = ArrayDeque<Candidate>()

    /** Set when a query becomes inactive: [candidates] may then miss an older one. */
    @Volatile
    private var stale = false

    /** The latest access time among [candidates]; [Long.MIN_VALUE] when there are none. */
    @Volatile
    private var newestCandidateAccess = Long.MIN_VALUE

    /** How many scans ran (they should be rare). */
    @Volatile
    var scans: Int = 0
        private set

    /**
     * Called when [query] becomes inactive: only a query not newer than the newest candidate may
     * belong among them, and then they are rescanned. (A new query, or one just used, is newer.)
     */
    fun onBecameInactive(query: Query<*>) {
        if (query.lastAccess <= newestCandidateAccess) stale = true
    }

    /** The least recently used inactive query, or `null` if none. */
    fun next(): Query<*>? {
        if (stale) {
            stale = false
            clear()
        }
        var refilled = false
        while (true) {
            val candidate = candidates.removeFirstOrNull()
            if (candidate == null) {
                if (refilled) return null
                refill()
                refilled = true
                continue
            }
            val query = candidate.query
            if (isCurrent(query) && query.lastAccess == candidate.lastAccess && query.isInactive) return query
        }
    }

    fun clear() {
        candidates.clear()
        newestCandidateAccess = Long.MIN_VALUE
    }

    private fun refill() {
        scans++
        val all = queries()
        val oldest = all.filter { it.isInactive }
            .map { Candidate(it, it.lastAccess) }
            .sortedWith(compareBy<Candidate> { it.lastAccess }.thenBy { it.query.sequence })
            .take(maxOf(8, all.size / 16))
        candidates.addAll(oldest)
        newestCandidateAccess = oldest.lastOrNull()?.lastAccess ?: Long.MIN_VALUE
    }
}
