package dev.stackquery.micrometer.internal

import dev.stackquery.FetchReason
import dev.stackquery.QueryCacheEvent
import dev.stackquery.QueryKey
import dev.stackquery.QueryStatus

/**
 * Pairs each [QueryCacheEvent.FetchStarted] with the [QueryCacheEvent.FetchSettled] of its key
 * and hands the elapsed time to [record]. Times are the clock's readings when the events are
 * handled. A start whose settlement was lost (the event buffer overflowed) is forgotten when the
 * key starts again or leaves the cache; a settlement without a start is ignored. Not thread-safe:
 * one event collector drives it.
 */
internal class FetchTimings(
    private val nanoTime: () -> Long,
    private val record: (key: QueryKey, reason: FetchReason, outcome: String, nanos: Long) -> Unit,
) {
    private val started = HashMap<QueryKey, Started>()

    private class Started(val reason: FetchReason, val atNanos: Long)

    fun handle(event: QueryCacheEvent) {
        when (event) {
            is QueryCacheEvent.FetchStarted -> started[event.queryKey] = Started(event.reason, nanoTime())
            is QueryCacheEvent.FetchSettled -> {
                val start = started.remove(event.queryKey) ?: return
                record(event.queryKey, start.reason, outcomeOf(event), nanoTime() - start.atNanos)
            }
            is QueryCacheEvent.Removed -> started.remove(event.queryKey)
            else -> {}
        }
    }

    companion object {
        const val SUCCESS = "success"
        const val ERROR = "error"
        const val CANCELLED = "cancelled"

        fun outcomeOf(settled: QueryCacheEvent.FetchSettled): String = when {
            settled.isCancelled -> CANCELLED
            settled.state.status == QueryStatus.ERROR -> ERROR
            else -> SUCCESS
        }
    }
}
