package dev.stackquery.internal

import dev.stackquery.QueryState
import dev.stackquery.StaleTime

/** The engine's encoding of [StaleTime.STATIC] as a stale time in ms. */
internal const val STATIC_STALE_TIME: Long = -2L

/** The [StaleTime] a stale time in ms encodes ([STATIC_STALE_TIME] included). */
internal fun staleTimeOf(millis: Long): StaleTime =
    if (millis == STATIC_STALE_TIME) StaleTime.STATIC else StaleTime.ofMillis(millis)

/**
 * The staleness rule (TanStack's `isStaleByTime`): stale when there is no data; otherwise never
 * with a [STATIC_STALE_TIME] stale time; otherwise when invalidated or when
 * `now - dataUpdatedAt >= staleTimeMillis` ([Long.MAX_VALUE] stale time: never by age).
 */
internal fun isStale(state: QueryState<*>, staleTimeMillis: Long, nowMillis: Long): Boolean {
    if (!state.hasData) return true
    if (staleTimeMillis == STATIC_STALE_TIME) return false
    return state.isInvalidated ||
        (staleTimeMillis != Long.MAX_VALUE && nowMillis - state.dataUpdatedAt >= staleTimeMillis)
}
