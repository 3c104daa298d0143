package dev.stackquery.internal.client

import dev.stackquery.FetchReason
import dev.stackquery.MutationCacheEvent
import dev.stackquery.MutationDefaults
import dev.stackquery.MutationOptions
import dev.stackquery.QueryCacheEvent.RemovalCause
import dev.stackquery.QueryCancelledException
import dev.stackquery.QueryClient
import dev.stackquery.QueryClientClosedException
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryDefaults
import dev.stackquery.QueryFilter
import dev.stackquery.QueryKey
import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import dev.stackquery.internal.MergedOptions
import dev.stackquery.internal.ResolvedOptions
import dev.stackquery.internal.isStale
import dev.stackquery.internal.mutation.MutationRegistry
import dev.stackquery.internal.persistence.L2Tier
import dev.stackquery.internal.query.LookupMode
import dev.stackquery.internal.query.LookupResult
import dev.stackquery.internal.query.Query
import dev.stackquery.internal.query.Written
import dev.stackquery.internal.store.QueryStore
import dev.stackquery.internal.sync.SyncBridge
import dev.stackquery.storage.StorageStats
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.joinAll

/**
 * The client behind the public `QueryClient`: builds the parts (runtime, L2 tier, store,
 * mutation registry, filter operations, sync bridge) and runs the read paths — the fresh hit,
 * `fetchQuery`'s stale-while-revalidate, `ensureQueryData`, `prefetchQuery` — and the client's
 * lifecycle. Operations on filters live in [FilterOperations].
 */
internal class ClientEngine(val config: QueryClientConfig, client: QueryClient) {
    val runtime = ClientRuntime(config, client)
    private val clock = runtime.clock
    private val stats = runtime.stats

    /** The L2 tier, when the client has a storage. */
    val l2: L2Tier? = config.storage?.let { L2Tier(it, config, config.coroutineContext) }
    val store = QueryStore(runtime, l2)
    val mutations = MutationRegistry(runtime)

    /** The query defaults by key prefix (`setQueryDefaults`). */
    val queryDefaults = PrefixDefaults<QueryDefaults> { less, more -> less.then(more) }

    /** The mutation defaults by key prefix (`setMutationDefaults`). */
    val mutationDefaults = PrefixDefaults<MutationDefaults<*, *>> { less, more -> less.then(more) }

    private var sync: SyncBridge? = null
    val operations =
        FilterOperations(runtime, store, l2, publish = config.sync?.let { { message -> sync?.publish(message) } })

    /** [operations] that publish nothing: for operations whose messages were already sent (inside a transaction). */
    val silentOperations by lazy { FilterOperations(runtime, store, l2, publish = null) }

    /** The origin of this client's sync messages; `null` without [QueryClientConfig.sync]. */
    val syncOrigin: String? get() = sync?.origin

    init {
        store.start()
        runtime.conditions.start(runtime.scope, ::onFocusChanged, ::onOnlineChanged)
        // A cancelled parent Job ends the client as close() would, not half-alive.
        runtime.job.invokeOnCompletion { close() }
        sync = config.sync?.let { transport ->
            SyncBridge(
                transport,
                runtime.scope,
                operations::applyRemote,
                onGap = { operations.invalidate(QueryFilter.ALL, local = false) },
                writeMark = { l2?.mark() ?: 0L },
                awaitWrites = { mark -> l2?.awaitWritten(mark, 2 * config.storageTimeoutMillis) },
            ).also { it.start() }
        }
    }

    /**
     * The fresh-hit path of `fetchQuery`, usable without a coroutine: the query's state if it is
     * cached with data that is fresh for [options] (counted as a hit), else `null`. The defaults
     * check ([withDefaults]: one volatile read while none are registered), a map lookup, a
     * volatile read and a clock read: no lock, no allocation, no scan.
     */
    fun <T> freshState(given: QueryOptions<T>): QueryState<T>? {
        val options = withDefaults(given)
        val query = store.get<T>(options.queryKey) ?: return null
        val state = query.state
        if (!state.hasData) return null
        val now = clock.nowMillis()
        query.touch(now)
        val staleTime = ResolvedOptions.staleTimeMillis(options, config, options.queryKey, state, runtime)
        if (isStale(state, staleTime, now)) return null
        query.noteGcTime(options.gcTimeMillis)
        stats.hits.increment()
        return state
    }

    /** `fetchQuery` after [freshState] missed. */
    suspend fun <T> fetchAfterMiss(options: QueryOptions<T>): T =
        when (val found = lookup(options, LookupMode.REVALIDATE)) {
            is LookupResult.Found -> {
                val counter = when {
                    found.fromStorage -> stats.misses
                    found.stale -> stats.staleHits
                    else -> stats.hits
                }
                counter.increment()
                found.data
            }
            is LookupResult.Wait -> {
                stats.misses.increment()
                await(found)
            }
            else -> error("lookup returned $found")
        }

    /** `ensureQueryData`: any cached data (stale data refetched behind it with [revalidateIfStale]), else the fetch. */
    suspend fun <T> ensure(options: QueryOptions<T>, revalidateIfStale: Boolean): T = when (
        val found = lookup(options, if (revalidateIfStale) LookupMode.REVALIDATE else LookupMode.ENSURE)
    ) {
        is LookupResult.Found -> found.data
        is LookupResult.Wait -> await(found)
        else -> error("lookup returned $found")
    }

    /** `prefetchQuery`: fetches unless fresh, waits, never throws a fetch error (nor on a closed client). */
    suspend fun prefetch(options: QueryOptions<*>) {
        val found = try {
            lookup(options, LookupMode.PREFETCH)
        } catch (e: QueryClientClosedException) {
            return
        }
        if (found is LookupResult.Wait) waitFor(found) { found.fetch.join() }
    }

    /**
     * [dev.stackquery.internal.query.Query.lookup] on the query of [options], created if missing
     * and looked up again if it left the cache meanwhile; never [LookupResult.Removed] or
     * [LookupResult.Hydrating]. A query found with data and no fetch started gets its gc timer.
     * After waiting for a hydration, the fetch waited for is the answer once it has ended.
     */
    private suspend fun <T> lookup(given: QueryOptions<T>, mode: LookupMode): LookupResult<T> {
        val options = withDefaults(given)
        val resolved = ResolvedOptions.resolve(options, config)
        var awaited: Deferred<*>? = null
        var counted: Query<*>? = null // the query this caller is counted a waiter of, since a hydration
        try {
            while (true) {
                if (awaited?.isCancelled == true) {
                    @Suppress("UNCHECKED_CAST") // a fetch of this query: a Deferred<T>
                    return LookupResult.Wait(awaited as Deferred<T>, counted) // failed or cancelled (closed, say)
                }
                val query = store.getOrCreate(options.queryKey, options)
                query.touch(clock.nowMillis())
                val reason = if (mode == LookupMode.PREFETCH) FetchReason.PREFETCH else FetchReason.FETCH
                when (val found = query.lookup(resolved, mode, reason, awaited, counted = counted === query)) {
                    is LookupResult.Removed -> {
                        counted?.removeWaiter()
                        counted = null
                    }
                    is LookupResult.Hydrating -> {
                        counted = query
                        found.gate.await()
                        awaited = found.fetch
                    }
                    is LookupResult.Found -> {
                        counted?.removeWaiter()
                        counted = null
                        query.ensureGcScheduled()
                        if (awaited == null) return found
                        return LookupResult.Found(found.data, found.stale, fromStorage = true)
                    }
                    is LookupResult.Wait -> {
                        val waiter = found.query ?: counted
                        counted = null // handed to the caller with the result
                        return if (waiter === found.query) found else LookupResult.Wait(found.fetch, waiter)
                    }
                }
            }
        } catch (e: Throwable) {
            counted?.removeWaiter()
            throw e
        }
    }

    /**
     * Waits for [fetch]. A fetch that ended with the client's own cancellation (it raced
     * [close]) fails the caller with [QueryClientClosedException]; a fetch the client cancelled
     * fails it with [QueryCancelledException]; the caller's own cancellation is rethrown as is.
     */
    suspend fun <T> await(fetch: Deferred<T>): T = closedAware { fetch.await() }

    /** [await] for the fetch [found] names; then the caller no longer counts as a waiter of its query. */
    private suspend fun <T> await(found: LookupResult.Wait<T>): T = waitFor(found) { await(found.fetch) }

    /** Runs [wait] for the fetch [found] names; then the caller no longer counts as a waiter of its query. */
    private inline fun <R> waitFor(found: LookupResult.Wait<*>, wait: () -> R): R = try {
        wait()
    } finally {
        found.query?.removeWaiter()
    }

    /**
     * Runs [block]; a cancellation that comes from the client closing (not from the caller, and
     * not a [QueryCancelledException]) is rethrown as [QueryClientClosedException], so a caller
     * racing [close] never sees the client's internal job. With [inClientScope] false (the
     * caller's own coroutine), the caller's own cancellation is rethrown as is.
     */
    suspend inline fun <R> closedAware(inClientScope: Boolean = false, block: () -> R): R = try {
        block()
    } catch (e: CancellationException) {
        if (e is QueryCancelledException || !runtime.isClosed) throw e
        if (!inClientScope) currentCoroutineContext().ensureActive()
        throw QueryClientClosedException()
    }

    /**
     * [options] merged with the query defaults of its key's prefixes (TanStack's
     * `defaultQueryOptions`, without the client config, which [ResolvedOptions] applies): [options]
     * itself when none match. The result is cached on [options] for the current defaults, so a
     * fresh hit costs one volatile read while no defaults are registered, and three (no
     * allocation, no lookup) once the merge for these options is cached.
     */
    fun <T> withDefaults(options: QueryOptions<T>): QueryOptions<T> {
        val version = queryDefaults.version
        if (version == 0L) return options
        val cached = options.merged
        @Suppress("UNCHECKED_CAST") // made from these options: the same T
        if (cached != null && cached.registry === queryDefaults && cached.version == version) {
            return cached.options as QueryOptions<T>
        }
        val defaults = queryDefaults.matching(options.queryKey)
        val merged = if (defaults == null) options else options.withDefaults(defaults)
        val entry = MergedOptions(queryDefaults, version, merged)
        if (merged !== options) merged.merged = entry // merged options given back (observer.options) stay as they are
        options.merged = entry
        return merged
    }

    /** [options] merged with the mutation defaults of its key's prefixes; [options] itself when none match. */
    fun <D, V, C> withDefaults(options: MutationOptions<D, V, C>): MutationOptions<D, V, C> {
        val key = options.mutationKey ?: return options
        if (mutationDefaults.version == 0L) return options
        val defaults = mutationDefaults.matching(key) ?: return options
        return options.withDefaults(defaults)
    }

    /**
     * `setQueryData`: writes `updater(current)` under [key] (updated at [updatedAt], or now) and
     * publishes it (if [publish]); `null` when the updater declined for a missing key (see [QueryStore.update]).
     */
    fun <T> setQueryData(
        key: QueryKey,
        updater: (T?) -> T,
        updatedAt: Long? = null,
        publish: Boolean = true,
    ): Written<T>? {
        val defaults = if (queryDefaults.version == 0L) null else queryDefaults.matching(key)
        val written = store.update(key, updater, updatedAt, defaults)
        if (publish && written?.changed == true) operations.published(key)
        return written
    }

    /** Removes every query from memory, cancelling fetches in flight, and the settled mutation runs; persisted entries stay. */
    fun clear() {
        store.clear(RemovalCause.EXPLICIT)
        mutations.removeSettled(MutationCacheEvent.RemovalCause.EXPLICIT)
    }

    /** Closes the client (see `QueryClient.close`); idempotent. */
    fun close() {
        if (!runtime.markClosed()) return
        store.clear(RemovalCause.CLOSED)
        mutations.close()
        runtime.conditions.close()
        l2?.close()
        runtime.job.cancel()
        sync?.close()
    }

    /** The application gained or lost focus: polling follows; on focus, the active queries refetch as their triggers say. */
    private fun onFocusChanged(focused: Boolean) {
        // Reactions run on the client's dispatcher, possibly out of order: act on what holds now.
        val refetch = focused && runtime.conditions.now.focused
        for (query in store.find(ACTIVE)) {
            query.onFocusChanged()
            if (refetch) query.refetchOn(FetchReason.FOCUS)
        }
    }

    /** The network came back (or left): the active queries refetch as their reconnect triggers say. */
    private fun onOnlineChanged(online: Boolean) {
        if (!online || !runtime.conditions.now.online) return
        for (query in store.find(ACTIVE)) query.refetchOn(FetchReason.RECONNECT)
    }

    /**
     * `resumePausedMutations`: reads the managers again, then waits until every paused mutation
     * run that may continue now has settled (the others stay paused).
     */
    suspend fun resumePausedMutations() {
        runtime.conditions.refresh()
        mutations.resumable(runtime.conditions.now).joinAll()
    }

    suspend fun flush() {
        l2?.flush()
    }

    suspend fun flush(timeoutMillis: Long): Boolean = l2?.flush(timeoutMillis) ?: true

    fun storageStats(): StorageStats? = l2?.stats()

    private companion object {
        val ACTIVE = QueryFilter(type = QueryFilter.Type.ACTIVE)
    }
}
