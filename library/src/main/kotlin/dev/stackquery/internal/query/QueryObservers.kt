package dev.stackquery.internal.query

import dev.stackquery.FetchReason
import dev.stackquery.QueryKey
import dev.stackquery.QueryState
import dev.stackquery.internal.ResolvedOptions
import dev.stackquery.internal.client.ClientRuntime

/**
 * The observers attached to one query and their demands. Not thread-safe: the query's monitor
 * guards it; [snapshot] is published for lock-free notification.
 */
internal class QueryObservers {
    private val demands = LinkedHashMap<QueryStateObserver, ObserverDemand<*>>()

    /** The observers as of the last change, read without the monitor to notify them. */
    @Volatile
    var snapshot: Array<QueryStateObserver> = NONE
        private set

    val size: Int get() = demands.size

    fun isEmpty(): Boolean = demands.isEmpty()

    /** Adds [observer] or replaces its demand; true when it was added. */
    fun put(observer: QueryStateObserver, demand: ObserverDemand<*>): Boolean {
        val added = demands.put(observer, demand) == null
        if (added) snapshot = demands.keys.toTypedArray()
        updateDynamic()
        return added
    }

    /** Whether [observer] is attached. */
    operator fun contains(observer: QueryStateObserver): Boolean = demands.containsKey(observer)

    /** Removes [observer]; false if it was not attached. */
    fun remove(observer: QueryStateObserver): Boolean {
        if (demands.remove(observer) == null) return false
        snapshot = if (demands.isEmpty()) NONE else demands.keys.toTypedArray()
        updateDynamic()
        return true
    }

    /** Whether some demand's answers depend on the query's state: polling is then re-evaluated on each change. */
    var anyDynamic: Boolean = false
        private set

    /** Whether any observer lets the query of [key] in [state] fetch on its own. */
    fun <T> anyEnabled(key: QueryKey, state: QueryState<T>, runtime: ClientRuntime): Boolean =
        demands.values.any { it.of<T>().enabled(key, state, runtime) }

    /** Whether any observer asks for a static stale time for the query of [key] in [state] (TanStack's `isStatic`). */
    fun <T> anyStatic(key: QueryKey, state: QueryState<T>, runtime: ClientRuntime): Boolean =
        demands.values.any { it.of<T>().isStatic(key, state, runtime) }

    /**
     * The shortest polling period asked for the query of [key] in [state], in ms; 0 for none.
     * Unless [focused], only the observers that poll in the background count.
     */
    fun <T> pollIntervalMillis(key: QueryKey, state: QueryState<T>, runtime: ClientRuntime, focused: Boolean): Long {
        var interval = Long.MAX_VALUE
        for (demand in demands.values) {
            if (!focused && !demand.pollsInBackground) continue
            val period = demand.of<T>().pollIntervalMillis(key, state, runtime)
            if (period in 1 until interval) interval = period
        }
        return if (interval == Long.MAX_VALUE) 0 else interval
    }

    /** The options of the first observer that asks the query of [key] in [state] to refetch on [reason]; `null` if none. */
    fun <T> triggered(
        reason: FetchReason,
        key: QueryKey,
        state: QueryState<T>,
        runtime: ClientRuntime,
    ): ResolvedOptions<T>? =
        demands.values.firstOrNull { it.of<T>().refetchesOn(reason, key, state, runtime) }?.of<T>()?.options

    @Suppress("UNCHECKED_CAST") // the demands of one query are all for its type
    private fun <T> ObserverDemand<*>.of(): ObserverDemand<T> = this as ObserverDemand<T>

    private fun updateDynamic() {
        anyDynamic = demands.values.any { it.isDynamic }
    }

    private companion object {
        val NONE = arrayOf<QueryStateObserver>()
    }
}
