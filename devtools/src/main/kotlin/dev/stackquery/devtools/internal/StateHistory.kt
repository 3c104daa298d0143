package dev.stackquery.devtools.internal

import dev.stackquery.QueryKey
import dev.stackquery.QueryState
import java.util.ArrayDeque

/**
 * The last [size] state changes of each query, recorded from [dev.stackquery.QueryCacheEvent.Updated]
 * events: a bounded ring per key, summaries only (no data is kept). A key's ring is dropped when
 * its query leaves the cache. In case a removal event was lost (the event buffer overflowed), the
 * rings of keys no longer cached ([isCached] false) are pruned once the number of rings reaches
 * [MAX_TRACKED_KEYS], then again each time it doubles from what a pruning left (so pruning costs
 * O(1) per event amortized, however many queries the cache holds). Thread-safe.
 */
internal class StateHistory(private val size: Int, private val isCached: (QueryKey) -> Boolean) {
    private val rings = HashMap<QueryKey, ArrayDeque<HistoryEntry>>()
    private var pruneAt = MAX_TRACKED_KEYS

    /** Records that [key]'s state became [state] at [at] (epoch ms of the client's clock). */
    fun record(key: QueryKey, state: QueryState<*>, at: Long) {
        val entry = HistoryEntry.of(state, at)
        synchronized(this) {
            val ring = rings.getOrPut(key) { ArrayDeque(minOf(size, 16)) }
            if (ring.size == size) ring.removeFirst()
            ring.addLast(entry)
            if (rings.size >= pruneAt) {
                rings.keys.removeIf { it != key && !isCached(it) }
                pruneAt = maxOf(MAX_TRACKED_KEYS, rings.size * 2)
            }
        }
    }

    /** Forgets [key]'s changes (its query left the cache). */
    fun drop(key: QueryKey) {
        synchronized(this) { rings.remove(key) }
    }

    /** [key]'s recorded changes, oldest first. */
    fun of(key: QueryKey): List<HistoryEntry> = synchronized(this) { rings[key]?.toList() ?: emptyList() }

    companion object {
        /** How many keys are tracked before the rings of keys no longer cached are first pruned. */
        const val MAX_TRACKED_KEYS = 10_000
    }
}

/** One recorded state change: the state's summary at the instant [at]. */
internal class HistoryEntry(
    val at: Long,
    val status: String,
    val fetchStatus: String,
    val dataUpdatedAt: Long,
    val failureCount: Int,
    val isInvalidated: Boolean,
    val isStale: Boolean,
    val error: String?,
) {
    companion object {
        fun of(state: QueryState<*>, at: Long): HistoryEntry = HistoryEntry(
            at = at,
            status = state.status.name,
            fetchStatus = state.fetchStatus.name,
            dataUpdatedAt = state.dataUpdatedAt,
            failureCount = state.failureCount,
            isInvalidated = state.isInvalidated,
            isStale = state.isStale,
            error = state.error?.let(::describe),
        )
    }
}

/** A throwable as `ClassName: message`, for display. */
internal fun describe(error: Throwable): String =
    error.message?.let { "${error.javaClass.name}: $it" } ?: error.javaClass.name
