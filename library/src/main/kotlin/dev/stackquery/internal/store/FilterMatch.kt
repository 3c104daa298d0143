package dev.stackquery.internal.store

import dev.stackquery.QueryFilter
import dev.stackquery.internal.isStale
import dev.stackquery.internal.query.Query

/** Whether the filter selects by key alone (no type, staleness or predicate condition). */
internal val QueryFilter.selectsByKeyOnly: Boolean
    get() = type == QueryFilter.Type.ALL && stale == null && predicate == null && fetchStatus == null

/** Whether [query], found by the filter's key, meets its other conditions at [now]. */
internal fun QueryFilter.matches(query: Query<*>, now: Long): Boolean {
    when (type) {
        QueryFilter.Type.ACTIVE -> if (!query.isActive) return false
        QueryFilter.Type.INACTIVE -> if (query.isActive) return false
        QueryFilter.Type.ALL -> {}
    }
    val state = query.currentState() ?: query.state // stale as of now; a query removed meanwhile still answers
    if (fetchStatus != null && state.fetchStatus != fetchStatus) return false
    if (stale != null) {
        if (isStale(state, query.staleTimeOf(state), now) != stale) return false
    }
    return predicate?.test(query.key, state) ?: true
}

@Suppress("UNCHECKED_CAST") // a state of this query
private fun Query<*>.staleTimeOf(state: dev.stackquery.QueryState<*>): Long =
    (this as Query<Any?>).staleTimeFor(state as dev.stackquery.QueryState<Any?>)
