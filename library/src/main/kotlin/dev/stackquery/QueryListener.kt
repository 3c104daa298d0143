package dev.stackquery

/**
 * Receives the states of a [QueryObserver], from [QueryObserver.subscribe].
 *
 * Calls for one subscription never overlap and come in order, each state distinct from the one
 * before. A listener that throws is logged; it keeps its subscription and other listeners are
 * unaffected.
 */
@JvmSuppressWildcards // Java sees onState(QueryState<T>), not QueryState<? extends T>
public fun interface QueryListener<in T> {
    /** Called with the observer's current state when subscribing, then with each distinct change. */
    public fun onState(state: QueryState<T>)
}
