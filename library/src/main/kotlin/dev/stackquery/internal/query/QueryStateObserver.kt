package dev.stackquery.internal.query

import dev.stackquery.QueryCacheEvent.RemovalCause

/** What a [Query] tells the observers attached to it ([Query.addObserver]). */
internal interface QueryStateObserver {
    /**
     * The query's state may have changed: read [Query.state]. Called outside the query's monitor,
     * from whichever thread changed it, possibly from several threads at once.
     */
    fun onQueryChanged()

    /**
     * [query] left the cache while this observer was attached. Called after the cache released
     * its lock, on the thread that removed it.
     */
    fun onQueryRemoved(query: Query<*>, cause: RemovalCause)
}
