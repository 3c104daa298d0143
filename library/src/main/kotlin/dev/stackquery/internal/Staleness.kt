package dev.stackquery.internal

import dev.stackquery.QueryState

/**
 * The staleness rule: stale when there is no data, when invalidated, or when
 * `now - dataUpdatedAt >= staleTimeMillis` ([Long.MAX_VALUE] stale time: never by age).
 */
internal fun isStale(state: QueryState<*>, staleTimeMillis: Long, nowMillis: Long): Boolean =
    !state.hasData || state.isInvalidated ||
        (staleTimeMillis != Long.MAX_VALUE && nowMillis - state.dataUpdatedAt >= staleTimeMillis)
