package dev.stackquery.internal.store

import dev.stackquery.QueryCacheEvent
import dev.stackquery.QueryCacheEvent.RemovalCause
import dev.stackquery.QueryDefaults
import dev.stackquery.QueryFilter
import dev.stackquery.QueryKey
import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import dev.stackquery.internal.NoChange
import dev.stackquery.internal.ResolvedOptions
import dev.stackquery.internal.client.ClientRuntime
import dev.stackquery.internal.declinable
import dev.stackquery.internal.persistence.L2Tier
import dev.stackquery.internal.query.Query
import dev.stackquery.internal.query.QueryHost
import dev.stackquery.internal.query.QueryStateObserver
import dev.stackquery.internal.query.Written
import java.util.concurrent.ConcurrentHashMap

/**
 * The in-memory (L1) tier of a client: the queries by key, the key index for prefix lookups,
 * least-recently-used eviction past `cacheMaxSize`, and the gc timer that removes inactive
 * queries `gcTime` after they became inactive.
 *
 * Lookups are lock-free ([ConcurrentHashMap]). Creation, removal, prefix lookups and eviction
 * take one lock, which also guards the [KeyIndex] and the [LruEviction]. A removal only ever
 * removes the instance it was asked to (never a newer query of the same key).
 */
internal class QueryStore(
    override val runtime: ClientRuntime,
    override val l2: L2Tier?,
) : QueryHost {
    private val config = runtime.config
    private val clock = runtime.clock
    private val map = ConcurrentHashMap<QueryKey, Query<*>>()
    private val lock = Any()
    private val index = KeyIndex() // guarded by lock
    private var nextSequence = 0L // guarded by lock
    private val eviction = LruEviction({ map.values }, { map[it.key] === it }) // guarded by lock

    override val gc = GcScheduler(clock, ::expire)
    override val drains = FetchDrains()

    val size: Int get() = map.size

    /** How many eviction scans ran (they should be rare: see [LruEviction]). */
    val evictionScans: Int get() = eviction.scans

    fun start() = gc.start(runtime.scope)

    override fun onBecameInactive(query: Query<*>) = eviction.onBecameInactive(query)

    @Suppress("UNCHECKED_CAST") // one key holds one query type: the caller names it, as getQueryData documents
    fun <T> get(key: QueryKey): Query<T>? = map[key] as Query<T>?

    /**
     * The query for [key], created (with [options]' initial data, if any) when missing. A new
     * query has no gc timer yet: the caller starts a fetch, adds an observer, or calls
     * [Query.ensureGcScheduled].
     */
    fun <T> getOrCreate(key: QueryKey, options: QueryOptions<T>): Query<T> = get(key) ?: synchronized(lock) {
        get(key) ?: create(key, ResolvedOptions.resolve(options, config), initialState(options))
    }

    /**
     * Writes `updater(current data or null)` under [key], creating the query when missing; the
     * read and the write are atomic. When [updater] throws, nothing is created or changed. The
     * data is written at [updatedAt], or now. When [updater] returns [NoChange], nothing is written
     * either: the result is the query's current data unchanged, or `null` when it is missing. A query
     * created here takes its stale and gc times from [defaults] (the client's defaults for the key's
     * prefixes), if any.
     */
    fun <T> update(
        key: QueryKey,
        updater: (T?) -> T,
        updatedAt: Long? = null,
        defaults: QueryDefaults? = null,
    ): Written<T>? {
        while (true) {
            val query = get<T>(key)
            if (query == null) {
                runtime.checkOpen()
                // Outside every lock; discarded if another thread creates the key first.
                val update = declinable(updater, null)
                if (update === NoChange) return null
                @Suppress("UNCHECKED_CAST") // not NoChange: the updater's T
                val data = update as T
                synchronized(lock) {
                    if (get<T>(key) == null) {
                        create(key, null, QueryState.success(data, updatedAt ?: clock.nowMillis()), defaults)
                            .ensureGcScheduled()
                        return Written(data, changed = true)
                    }
                }
                continue
            }
            query.touch(clock.nowMillis())
            query.updateData(updater, updatedAt)?.let { return it }
        }
    }

    /** The state a query of [options] starts in: its initial data, or idle. */
    fun <T> initialState(options: QueryOptions<T>?): QueryState<T> {
        val initialData = options?.initialData ?: return QueryState.idle()
        return QueryState.initial(initialData, options.initialDataUpdatedAt ?: clock.nowMillis())
    }

    private fun <T> create(
        key: QueryKey,
        resolved: ResolvedOptions<T>?,
        initial: QueryState<T>,
        defaults: QueryDefaults? = null,
    ): Query<T> {
        runtime.checkOpen()
        val query = Query(key, this, initial, nextSequence++, resolved, defaults)
        query.lastAccess = clock.nowMillis()
        makeRoomForOne() // before the new query is visible, so its creation and the eviction are one step
        map[key] = query
        index.add(query)
        runtime.emit { QueryCacheEvent.Added(key) }
        if (initial.hasData) runtime.emit { QueryCacheEvent.Updated(key, query.state) }
        return query
    }

    /** The queries [filter] selects, in no particular order. */
    fun find(filter: QueryFilter): List<Query<*>> {
        val key = filter.queryKey
        val found: List<Query<*>> = when {
            filter.exact && key != null -> listOfNotNull(map[key])
            key == null || key.size == 0 -> ArrayList(map.values)
            else -> ArrayList<Query<*>>().also { synchronized(lock) { index.collect(key, it) } }
        }
        if (filter.selectsByKeyOnly) return found
        val now = clock.nowMillis()
        return found.filter { filter.matches(it, now) }
    }

    /** Removes [query] if it is still the cached one for its key. */
    fun remove(query: Query<*>, cause: RemovalCause) {
        val removed = ArrayList<Removal>(1)
        synchronized(lock) {
            if (map[query.key] === query) removed += removeLocked(query, cause)
        }
        tellObservers(removed, cause)
    }

    /** Removes every query, cancelling their fetches. */
    fun clear(cause: RemovalCause) {
        val removed = ArrayList<Removal>()
        synchronized(lock) {
            for (query in map.values) removed += removeLocked(query, cause)
            eviction.clear()
        }
        tellObservers(removed, cause)
    }

    /** Tells the observers of removed queries, with no lock held (they may re-attach at once). */
    private fun tellObservers(removed: List<Removal>, cause: RemovalCause) {
        for (removal in removed) {
            for (observer in removal.observers) observer.onQueryRemoved(removal.query, cause)
        }
    }

    /** A query that left the store, and the observers it had. */
    private class Removal(val query: Query<*>, val observers: Array<QueryStateObserver>)

    /** Removes [query] and returns it; its observers are told by the caller after the lock. */
    private fun removeLocked(query: Query<*>, cause: RemovalCause): Removal {
        map.remove(query.key, query)
        index.remove(query)
        val observers = query.onRemoved()
        runtime.emit { QueryCacheEvent.Removed(query.key, cause) }
        return Removal(query, observers)
    }

    /** Called by the gc scheduler: removes [query] if it is still cached, inactive and due at [deadline]. */
    private fun expire(query: Query<*>, deadline: Long) {
        synchronized(lock) {
            synchronized(query) {
                if (map[query.key] !== query || query.gcDeadline != deadline || !query.isInactive) return
                removeLocked(query, RemovalCause.GC)
                runtime.stats.gcRemovals.increment()
            }
        }
    }

    /** Under the lock: evicts least-recently-used inactive queries until one more fits. */
    private fun makeRoomForOne() {
        var excess = map.size + 1 - config.cacheMaxSize
        while (excess > 0) {
            val victim = eviction.next() ?: return
            synchronized(victim) {
                if (map[victim.key] === victim && victim.isInactive) {
                    removeLocked(victim, RemovalCause.EVICTED)
                    runtime.stats.evictions.increment()
                    excess--
                }
            }
        }
    }
}
