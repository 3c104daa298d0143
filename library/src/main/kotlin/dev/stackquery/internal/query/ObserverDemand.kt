package dev.stackquery.internal.query

import dev.stackquery.FetchReason
import dev.stackquery.QueryKey
import dev.stackquery.QueryState
import dev.stackquery.RefetchTrigger
import dev.stackquery.internal.ResolvedOptions
import dev.stackquery.internal.STATIC_STALE_TIME
import dev.stackquery.internal.client.ClientRuntime
import dev.stackquery.internal.enabledFor
import dev.stackquery.internal.isStale
import dev.stackquery.internal.refetchIntervalMillisFor

/**
 * What one attached observer asks of its query, pushed with [Query.addObserver] and
 * [Query.updateDemand] (the query never reads an observer's fields): the options its fetches use
 * (`null`: leave the query's as they are), and from them whether it lets the query fetch on its
 * own (invalidation, `refetchQueries`), the polling period it wants (ms, 0 for none) and whether
 * in the background, whether focus or reconnection refetch, and whether it asks for a static
 * stale time. Those are answered for the query's current state, since the
 * options' function forms depend on it.
 */
internal class ObserverDemand<T>(val options: ResolvedOptions<T>?) {
    /** Whether [enabled] or [pollIntervalMillis] depend on the query's state (function forms). */
    val isDynamic: Boolean = options?.options?.let { it.enabledFunction != null || it.refetchIntervalFunction != null }
        ?: false

    /** Whether this observer lets the query of [key] in [state] fetch on its own. */
    fun enabled(key: QueryKey, state: QueryState<T>, runtime: ClientRuntime): Boolean =
        options?.options?.enabledFor(key, state, runtime) ?: true

    /** The polling period wanted for the query of [key] in [state], ms; 0 for none (a disabled observer never polls). */
    fun pollIntervalMillis(key: QueryKey, state: QueryState<T>, runtime: ClientRuntime): Long {
        val given = options?.options ?: return 0
        if (!given.enabledFor(key, state, runtime)) return 0
        return given.refetchIntervalMillisFor(key, state, runtime)
    }

    /** Whether this observer polls while the application is not focused. */
    val pollsInBackground: Boolean get() = options?.pollsInBackground ?: false

    /**
     * Whether this observer asks the query of [key] in [state] to refetch on [reason]
     * ([FetchReason.FOCUS] or [FetchReason.RECONNECT]), as its trigger says: only when enabled, and
     * never with a static stale time (TanStack's `shouldFetchOn`).
     */
    fun refetchesOn(reason: FetchReason, key: QueryKey, state: QueryState<T>, runtime: ClientRuntime): Boolean {
        val resolved = options ?: return false
        if (!resolved.options.enabledFor(key, state, runtime)) return false
        val staleTime = resolved.staleTimeFor(key, state, runtime)
        if (staleTime == STATIC_STALE_TIME) return false
        return when (if (reason == FetchReason.FOCUS) resolved.refetchOnFocus else resolved.refetchOnReconnect) {
            RefetchTrigger.ALWAYS -> true
            RefetchTrigger.IF_STALE -> isStale(state, staleTime, runtime.clock.nowMillis())
            RefetchTrigger.NEVER -> false
        }
    }

    /** Whether this observer's stale time for the query of [key] in [state] is static. */
    fun isStatic(key: QueryKey, state: QueryState<T>, runtime: ClientRuntime): Boolean =
        options?.staleTimeFor(key, state, runtime) == STATIC_STALE_TIME
}
