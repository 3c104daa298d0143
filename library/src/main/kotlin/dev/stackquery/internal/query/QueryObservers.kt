package dev.stackquery.internal.query

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
        if (demands.put(observer, demand) != null) return false
        snapshot = demands.keys.toTypedArray()
        return true
    }

    /** Whether [observer] is attached. */
    operator fun contains(observer: QueryStateObserver): Boolean = demands.containsKey(observer)

    /** Removes [observer]; false if it was not attached. */
    fun remove(observer: QueryStateObserver): Boolean {
        if (demands.remove(observer) == null) return false
        snapshot = if (demands.isEmpty()) NONE else demands.keys.toTypedArray()
        return true
    }

    /** Whether any observer lets the query fetch on its own. */
    fun anyEnabled(): Boolean = demands.values.any { it.enabled }

    /** The shortest polling period asked for, in ms; 0 for none. */
    fun pollIntervalMillis(): Long {
        var interval = Long.MAX_VALUE
        for (demand in demands.values) {
            val period = demand.pollIntervalMillis
            if (period in 1 until interval) interval = period
        }
        return if (interval == Long.MAX_VALUE) 0 else interval
    }

    private companion object {
        val NONE = arrayOf<QueryStateObserver>()
    }
}
