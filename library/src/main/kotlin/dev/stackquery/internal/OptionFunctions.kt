package dev.stackquery.internal

import dev.stackquery.QueryKey
import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import dev.stackquery.QueryView
import dev.stackquery.internal.client.ClientRuntime

/*
 * The function forms of [QueryOptions] evaluated for one query: each falls back to its constant
 * field when no function is set (without allocating), and a function that throws is logged and
 * counts as the safe answer (disabled, no polling).
 */

/** Whether [this] options are enabled for the query of [key] in [state]. */
internal fun <T> QueryOptions<T>.enabledFor(key: QueryKey, state: QueryState<T>, runtime: ClientRuntime): Boolean {
    val function = enabledFunction ?: return enabled
    return try {
        function(QueryView(key, state))
    } catch (e: Exception) {
        runtime.logFailure("the enabled function of $key", e)
        false
    }
}

/** The polling period [this] options ask for the query of [key] in [state], in ms; 0 for none. */
internal fun <T> QueryOptions<T>.refetchIntervalMillisFor(
    key: QueryKey,
    state: QueryState<T>,
    runtime: ClientRuntime,
): Long {
    val function = refetchIntervalFunction ?: return refetchInterval?.inWholeMilliseconds?.coerceAtLeast(1) ?: 0
    val interval = try {
        function(QueryView(key, state))
    } catch (e: Exception) {
        runtime.logFailure("the refetchInterval function of $key", e)
        null
    }
    if (interval == null || !interval.isPositive()) return 0
    return if (interval.isInfinite()) 0 else interval.inWholeMilliseconds.coerceAtLeast(1)
}
