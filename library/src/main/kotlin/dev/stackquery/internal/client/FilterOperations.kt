package dev.stackquery.internal.client

import dev.stackquery.FetchReason
import dev.stackquery.QueryCacheEvent.RemovalCause
import dev.stackquery.QueryClientClosedException
import dev.stackquery.QueryFilter
import dev.stackquery.QueryKey
import dev.stackquery.QuerySnapshot
import dev.stackquery.RefetchType
import dev.stackquery.internal.persistence.Envelope
import dev.stackquery.internal.persistence.L2Tier
import dev.stackquery.internal.query.Query
import dev.stackquery.internal.store.QueryStore
import dev.stackquery.internal.store.selectsByKeyOnly
import dev.stackquery.internal.sync.SyncMessage
import kotlinx.coroutines.Deferred

/**
 * The operations on the queries a filter selects — invalidate, refetch, cancel, remove, reset —
 * written once for both origins: a *local* one (this client's own call) also updates the L2 tier
 * and is published to the other instances ([publish]); a *remote* one (applied from another
 * instance's [SyncMessage], see [applyRemote]) does neither (its origin did both) and does not
 * wait for the refetches it starts, so the messages after it never queue behind a slow fetch.
 */
internal class FilterOperations(
    private val runtime: ClientRuntime,
    private val store: QueryStore,
    private val l2: L2Tier?,
    /** Sends a message to the other instances; `null` without sync. */
    private val publish: ((SyncMessage) -> Unit)?,
) {
    /**
     * Marks the queries [filter] selects invalidated, then refetches the ones [refetchType] names
     * (cancelling a fetch of theirs in flight when [cancelRefetch], else joining it) and, if
     * [wait] (by default when [local]), waits for them.
     */
    suspend fun invalidate(
        filter: QueryFilter,
        local: Boolean,
        refetchType: RefetchType = RefetchType.ACTIVE,
        cancelRefetch: Boolean = true,
        wait: Boolean = local,
    ) {
        val matched = store.find(filter)
        // Persisted entries no query in memory holds cannot carry the flag: delete them all, then
        // write back the ones held here, flagged, so no instance hydrates invalidated data as fresh.
        val rewrite = local && l2?.deleteForInvalidation(filter) == true
        for (query in matched) query.invalidate(persist = local, rewrite = rewrite)
        if (local) publishFor(filter, matched) { key, exact -> SyncMessage.Invalidate(key, exact) }
        val refetched = when (refetchType) {
            RefetchType.ACTIVE -> matched.filter { it.isActive }
            RefetchType.INACTIVE -> matched.filter { !it.isActive }
            RefetchType.ALL -> matched
            RefetchType.NONE -> return
        }
        refetchAll(refetched, wait, cancelRefetch, if (local) FetchReason.INVALIDATE else FetchReason.SYNC)
    }

    /**
     * Refetches the enabled queries [filter] selects and waits, joining fetches in flight (or,
     * with [cancelRefetch], cancelling them and starting again).
     */
    suspend fun refetch(filter: QueryFilter, cancelRefetch: Boolean = false) {
        joinAll(store.find(filter), cancelInFlight = cancelRefetch, FetchReason.REFETCH)
    }

    /** The keys of the queries [filter] selects, in the order of their canonical text. */
    fun keys(filter: QueryFilter): List<QueryKey> = sorted(store.find(filter)).map { it.key }

    /** `getQueriesData`: the data of the queries [filter] selects, by key, in [keys]' order. */
    fun <T> data(filter: QueryFilter): Map<QueryKey, T?> {
        val result = LinkedHashMap<QueryKey, T?>()
        for (query in sorted(store.find(filter))) {
            val state = query.cachedState ?: continue // removed meanwhile
            @Suppress("UNCHECKED_CAST") // one key holds one query type: the caller names it, as getQueryData documents
            result[query.key] = if (state.hasData) state.data as T? else null
        }
        return result
    }

    /** `queries(filter)`: snapshots of the queries [filter] selects, in [keys]' order. */
    fun snapshots(filter: QueryFilter): List<QuerySnapshot> = sorted(store.find(filter)).mapNotNull { it.snapshot() }

    private fun sorted(queries: List<Query<*>>): List<Query<*>> = queries.sortedBy { it.key.toString() }

    /**
     * Cancels the fetches in flight of the queries [filter] selects and waits until they stopped
     * (reverting their states, or with [revert] false settling them in ERROR).
     */
    suspend fun cancel(filter: QueryFilter, revert: Boolean) {
        for (query in store.find(filter)) query.cancel("cancelQueries", revert)
    }

    /** Removes the queries [filter] selects from memory (and, if [local], their persisted entries). */
    fun remove(filter: QueryFilter, local: Boolean) {
        val matched = store.find(filter)
        for (query in matched) store.remove(query, RemovalCause.EXPLICIT)
        if (!local) return
        l2?.deleteFor(filter, persistedKeys(matched))
        publishFor(filter, matched) { key, exact -> SyncMessage.Remove(key, exact) }
    }

    /** Puts the queries [filter] selects back to their initial state, then refetches the active ones (waiting if [wait]). */
    suspend fun reset(filter: QueryFilter, local: Boolean, wait: Boolean = local) {
        val matched = store.find(filter)
        for (query in matched) resetToInitial(query)
        if (local) {
            l2?.deleteFor(filter, persistedKeys(matched))
            publishFor(filter, matched) { key, exact -> SyncMessage.Reset(key, exact) }
        }
        val reason = if (local) FetchReason.RESET else FetchReason.SYNC
        refetchAll(matched.filter { it.isActive }, wait, cancelInFlight = true, reason)
    }

    /** How many queries [filter] selects: the map's size for every key, else the matches counted (no snapshots). */
    fun count(filter: QueryFilter): Int {
        val key = filter.queryKey
        val everyKey = key == null || (key.size == 0 && !filter.exact)
        return if (everyKey && filter.selectsByKeyOnly) store.size else store.find(filter).size
    }

    /** How many of the queries [filter] selects are fetching. */
    fun fetchingCount(filter: QueryFilter): Int = store.find(filter).count { it.cachedState?.isFetching == true }

    /** Publishes the data just set under [key]: its persisted envelope when the query has a codec, else an invalidation. */
    fun published(key: QueryKey) {
        val publish = publish ?: return
        val state = store.get<Any?>(key)?.state
        publish(
            if (state?.hasData == true) {
                setMessage(key, state.data, state.dataUpdatedAt, state.isInvalidated)
            } else {
                SyncMessage.Invalidate(key, exact = true)
            },
        )
    }

    /**
     * The message that tells the other instances [data] was set under [key] at [updatedAt]: its
     * persisted envelope when the key's query has a codec, else (or when the codec fails) an
     * invalidation of the key.
     */
    fun setMessage(key: QueryKey, data: Any?, updatedAt: Long, invalidated: Boolean = false): SyncMessage {
        val entry = store.get<Any?>(key)?.let { envelope(it, data, updatedAt, invalidated) }
        return if (entry != null) SyncMessage.Set(key, entry) else SyncMessage.Invalidate(key, exact = true)
    }

    /** Applies what another instance published. */
    suspend fun applyRemote(message: SyncMessage) {
        val filter = message.filter
        when (message) {
            is SyncMessage.Invalidate -> invalidate(filter, local = false)
            is SyncMessage.Remove -> remove(filter, local = false)
            is SyncMessage.Reset -> reset(filter, local = false)
            is SyncMessage.Set -> {
                val query = store.get<Any?>(message.key) ?: return
                if (!applyEntry(query, message.entry)) invalidate(filter, local = false)
            }
        }
    }

    /** Takes the envelope another instance set; false when it cannot be read here (no codec, another buster, garbage). */
    private fun <T> applyEntry(query: Query<T>, entry: String): Boolean {
        val codec = query.resolved?.options?.codec ?: return false
        val persisted = try {
            Envelope.decode(entry, runtime.config.buster, codec, runtime.clock.nowMillis())
        } catch (e: Exception) {
            null
        } ?: return false
        query.applyPersisted(persisted)
        return true
    }

    /** [data] as [query]'s persisted envelope, or `null` without a codec (or if the codec fails). */
    private fun <T> envelope(query: Query<T>, data: Any?, updatedAt: Long, invalidated: Boolean): String? {
        val codec = query.resolved?.options?.codec ?: return null
        return try {
            @Suppress("UNCHECKED_CAST") // one key holds one query type: data is its T
            Envelope.encode(codec, data as T, updatedAt, invalidated, runtime.config.buster)
        } catch (e: Exception) {
            runtime.logFailure("encoding ${query.key} for the other instances", e)
            null
        }
    }

    private fun <T> resetToInitial(query: Query<T>) = query.reset(store.initialState(query.resolved?.options))

    /** The keys of [matched] that persist (have a codec). */
    private fun persistedKeys(matched: List<Query<*>>): List<QueryKey> =
        matched.mapNotNull { query -> query.key.takeIf { query.resolved?.options?.codec != null } }

    /** Tells the other instances about an operation on what [filter] selected (see [messagesFor]). */
    private fun publishFor(filter: QueryFilter, matched: List<Query<*>>, message: (QueryKey, Boolean) -> SyncMessage) {
        val publish = publish ?: return
        messagesFor(filter, matched, message).forEach(publish)
    }

    /**
     * The messages that tell the other instances about an operation on what [filter] selected
     * ([matched]): one by key when the filter selects by key alone, else one per matched key.
     */
    fun messagesFor(
        filter: QueryFilter,
        matched: List<Query<*>> = store.find(filter),
        message: (QueryKey, Boolean) -> SyncMessage,
    ): List<SyncMessage> = if (filter.selectsByKeyOnly) {
        listOf(message(filter.queryKey ?: QueryKey.EMPTY, filter.exact && filter.queryKey != null))
    } else {
        matched.map { message(it.key, true) }
    }

    private fun refetch(query: Query<*>, cancelInFlight: Boolean, reason: FetchReason): Deferred<*>? = try {
        query.refetch(cancelInFlight, reason)
    } catch (e: QueryClientClosedException) {
        null
    }

    /** Refetches [queries] (cancelling a fetch of theirs in flight, which may be outdated, when [cancelInFlight]). */
    private suspend fun refetchAll(
        queries: List<Query<*>>,
        wait: Boolean,
        cancelInFlight: Boolean,
        reason: FetchReason,
    ) {
        if (wait) {
            joinAll(queries, cancelInFlight, reason)
        } else {
            for (query in queries) refetch(query, cancelInFlight, reason)
        }
    }

    /**
     * Refetches [queries] and waits for all of them, counted as a waiter of each from before its
     * fetch starts (so its retries go on even if its last observer leaves meanwhile); a fetch
     * that starts paused (offline) is not waited for, so an invalidation offline returns.
     */
    private suspend fun joinAll(queries: List<Query<*>>, cancelInFlight: Boolean, reason: FetchReason) {
        val waited = ArrayList<Pair<Query<*>, Deferred<*>>>(queries.size)
        try {
            for (query in queries) {
                query.addWaiter()
                val fetch = refetch(query, cancelInFlight, reason)
                // As TanStack's refetchQueries: a fetch paused at its start (offline) is not waited for.
                if (fetch == null ||
                    query.cachedState?.isPaused == true
                ) {
                    query.removeWaiter()
                } else {
                    waited += query to fetch
                }
            }
            for ((_, fetch) in waited) fetch.join()
        } finally {
            for ((query, _) in waited) query.removeWaiter()
        }
    }
}
