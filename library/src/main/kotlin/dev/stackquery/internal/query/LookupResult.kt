package dev.stackquery.internal.query

import kotlinx.coroutines.Deferred

/** What [Query.lookup] found: data, a fetch to wait for, a hydration to wait for, or nothing (the query left the cache). */
internal sealed class LookupResult<out T> {
    /** Data found, whether it was stale, and whether it had just been read from the L2 tier. */
    class Found<out T>(val data: T, val stale: Boolean, val fromStorage: Boolean = false) : LookupResult<T>()

    /**
     * No usable data: wait for [fetch]. When [query] is given, the lookup counted the caller as its
     * waiter ([Query.addWaiter]); the caller calls [Query.removeWaiter] once it stops waiting.
     */
    class Wait<T>(val fetch: Deferred<T>, val query: Query<*>? = null) : LookupResult<T>()

    /** The fetch [fetch] is reading the L2 tier: wait for [gate], then look up again passing [fetch] as awaited. */
    class Hydrating(val gate: Deferred<Unit>, val fetch: Deferred<*>) : LookupResult<Nothing>()

    /** The query left the cache: look the key up again. */
    object Removed : LookupResult<Nothing>()
}

/** How a lookup treats the data it finds (see [Query.lookup]). */
internal enum class LookupMode { REVALIDATE, ENSURE, PREFETCH }

/**
 * What [Query.updateData] did: wrote [data] ([changed]), or kept [data], the data it held, because
 * the updater declined ([dev.stackquery.QueryClient.noChange]); `null` (no [Written]) when the
 * query left the cache.
 */
internal class Written<out T>(val data: T, val changed: Boolean)
