package dev.stackquery.internal

import dev.stackquery.QueryCacheEvent
import dev.stackquery.QueryCacheEvent.RemovalCause
import dev.stackquery.QueryClientClosedException
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryFilter
import dev.stackquery.QueryKey
import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import kotlinx.coroutines.CoroutineExceptionHandler
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.channels.BufferOverflow
import kotlinx.coroutines.ExperimentalForInheritanceCoroutinesApi
import kotlinx.coroutines.flow.FlowCollector
import kotlinx.coroutines.flow.MutableSharedFlow
import kotlinx.coroutines.flow.SharedFlow
import org.slf4j.LoggerFactory
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asExecutor
import java.util.concurrent.ConcurrentHashMap
import java.util.Optional
import java.util.concurrent.Executor
import java.util.concurrent.atomic.AtomicInteger
import kotlin.coroutines.ContinuationInterceptor

/**
 * The in-memory (L1) tier of a client and the machinery its queries share: the coroutine scope,
 * the clock, the counters, the event flow and the gc scheduler.
 *
 * Lookups are lock-free ([ConcurrentHashMap]). Creation, removal, prefix lookups and eviction
 * take one lock, which also guards the [KeyIndex]. Eviction is least-recently-used among inactive
 * queries only, by last access time at clock-millisecond resolution (ties: oldest created first).
 */
internal class QueryCache(val config: QueryClientConfig) {
    val clock = config.clock
    val job: Job = SupervisorJob(config.coroutineContext[Job])
    val scope = CoroutineScope(
        config.coroutineContext + job + CoroutineName("StackQuery") +
            CoroutineExceptionHandler { _, e -> logFailure("a background task", e) },
    )
    val stats = StatsCounter()
    val eventFlow = MutableSharedFlow<QueryCacheEvent>(
        extraBufferCapacity = 1024,
        onBufferOverflow = BufferOverflow.DROP_OLDEST,
    )

    /** Collectors of [events], counted without a lock (the flow's own count takes its lock). */
    val eventCollectors = AtomicInteger()

    /** The cache's events; collecting counts as listening, so events are only built while someone does. */
    @OptIn(ExperimentalForInheritanceCoroutinesApi::class)
    val events: SharedFlow<QueryCacheEvent> = object : SharedFlow<QueryCacheEvent> {
        override val replayCache: List<QueryCacheEvent> get() = eventFlow.replayCache

        override suspend fun collect(collector: FlowCollector<QueryCacheEvent>): Nothing {
            eventCollectors.incrementAndGet()
            try {
                eventFlow.collect(collector)
            } finally {
                eventCollectors.decrementAndGet()
            }
        }
    }
    val gc = GcScheduler(clock, ::expire)

    /** The L2 tier, when the client has a storage. */
    val persistence: Persistence? = config.storage?.let { Persistence(it, config, config.coroutineContext) }

    /** The client's dispatcher as an `Executor`: where listeners run unless given their own. */
    val dispatchExecutor: Executor =
        ((config.coroutineContext[ContinuationInterceptor] as? CoroutineDispatcher) ?: Dispatchers.Default).asExecutor()

    private val map = ConcurrentHashMap<QueryKey, Query<*>>()
    private val lock = Any()
    private val index = KeyIndex() // guarded by lock
    private var nextSequence = 0L // guarded by lock
    private val evictionCandidates = ArrayDeque<Candidate>() // guarded by lock

    /** Set when a query becomes inactive: [evictionCandidates] may then miss an older one. */
    @Volatile
    private var evictionCandidatesStale = false

    /** The latest access time among [evictionCandidates]; [Long.MIN_VALUE] when there are none. */
    @Volatile
    private var newestCandidateAccess = Long.MIN_VALUE

    /** Mutation runs in progress: a token per run, mapped to its mutation key, if any. */
    private val runningMutations = ConcurrentHashMap<Any, Optional<QueryKey>>()

    /** The last submitted run of each mutation scope that has one in progress. */
    private val mutationTails = ConcurrentHashMap<String, Job>()

    /** Records a mutation run; returns the token for [mutationEnded]. */
    fun mutationStarted(mutationKey: QueryKey?): Any = Any().also { runningMutations[it] = Optional.ofNullable(mutationKey) }

    fun mutationEnded(token: Any) {
        runningMutations.remove(token)
    }

    /** Runs in progress whose mutation key starts with [prefix] (`null`: all of them). */
    fun mutationsRunning(prefix: QueryKey?): Int =
        runningMutations.values.count { key -> prefix == null || (key.isPresent && key.get().startsWith(prefix)) }

    /**
     * Puts [run] last in the line of mutation scope [id] and returns the run before it (which
     * [run] waits for), or `null`. Scopes with nothing in progress take no memory.
     */
    fun enqueueMutation(id: String, run: Job): Job? {
        val previous = mutationTails.put(id, run)
        run.invokeOnCompletion { mutationTails.remove(id, run) }
        return previous
    }

    /** Cancelled executions still finishing, per key; a new fetch of the key waits for them all. */
    private val draining = ConcurrentHashMap<QueryKey, List<Job>>()

    @Volatile
    var isClosed: Boolean = false
        private set

    init {
        gc.start(scope)
        // A cancelled parent Job ends the client as close() would, not half-alive.
        job.invokeOnCompletion { close() }
    }

    val size: Int get() = map.size

    fun checkOpen() {
        if (isClosed) throw QueryClientClosedException()
    }

    @Suppress("UNCHECKED_CAST")
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
     * read and the write are atomic. When [updater] throws, nothing is created or changed.
     */
    @Suppress("UNCHECKED_CAST")
    fun <T> update(key: QueryKey, updater: (T?) -> T): T {
        while (true) {
            var query = get<T>(key)
            if (query == null) {
                checkOpen()
                val data = updater(null) // outside every lock; discarded if another thread creates the key first
                synchronized(lock) {
                    if (get<T>(key) == null) {
                        create(key, null, QueryState.success(data, clock.nowMillis())).ensureGcScheduled()
                        return data
                    }
                }
                continue
            }
            query.touch(clock.nowMillis())
            val result = query.updateData(updater)
            if (result !== Query.REMOVED) return result as T
        }
    }

    /** The state a query of [options] starts in: its initial data, or idle. */
    fun <T> initialState(options: QueryOptions<T>?): QueryState<T> {
        val initialData = options?.initialData ?: return QueryState.idle()
        return QueryState.success(initialData, options.initialDataUpdatedAt ?: clock.nowMillis())
    }

    private fun <T> create(key: QueryKey, resolved: ResolvedOptions<T>?, initial: QueryState<T>): Query<T> {
        checkOpen()
        val now = clock.nowMillis()
        val query = Query(key, this, initial, nextSequence++)
        query.lastAccess = now
        query.resolved = resolved
        makeRoomForOne() // before the new query is visible, so its creation and the eviction are one step
        map[key] = query
        index.add(query)
        emit { QueryCacheEvent.Added(key) }
        if (initial.hasData) emit { QueryCacheEvent.Updated(key, initial) }
        return query
    }

    /** Records [job], a cancelled execution of [key] that has not finished yet. */
    fun fetchDraining(key: QueryKey, job: Job) {
        draining.merge(key, listOf(job)) { jobs, added -> jobs + added }
        job.invokeOnCompletion { draining.computeIfPresent(key) { _, jobs -> (jobs - job).ifEmpty { null } } }
    }

    /**
     * The cancelled executions of [key] still finishing. Every one is listed until it completes
     * (one that never started completes at once), so waiting for them all means no execution of
     * [key] is left running.
     */
    fun drainingFetches(key: QueryKey): List<Job> = draining[key].orEmpty()

    /**
     * Called when [query] becomes inactive. The eviction candidates are the oldest inactive
     * queries of the last scan; only a query not newer than the newest of them may belong among
     * them, and then they are rescanned. (A new query, or one just used, is newer: no rescan.)
     */
    fun onBecameInactive(query: Query<*>) {
        if (query.lastAccess <= newestCandidateAccess) evictionCandidatesStale = true
    }

    /** The queries [filter] selects, in no particular order. */
    fun find(filter: QueryFilter): List<Query<*>> {
        val key = filter.queryKey
        val found: List<Query<*>> = when {
            filter.exact && key != null -> listOfNotNull(map[key])
            key == null || key.size == 0 -> ArrayList(map.values)
            else -> ArrayList<Query<*>>().also { synchronized(lock) { index.collect(key, it) } }
        }
        if (filter.type == QueryFilter.Type.ALL && filter.stale == null && filter.predicate == null) return found
        val now = clock.nowMillis()
        return found.filter { query -> matches(filter, query, now) }
    }

    private fun matches(filter: QueryFilter, query: Query<*>, now: Long): Boolean {
        when (filter.type) {
            QueryFilter.Type.ACTIVE -> if (!query.isActive) return false
            QueryFilter.Type.INACTIVE -> if (query.isActive) return false
            QueryFilter.Type.ALL -> {}
        }
        val state = query.state
        if (filter.stale != null) {
            val staleTime = query.resolved?.staleTimeMillis ?: config.staleTimeMillis
            if (isStale(state, staleTime, now) != filter.stale) return false
        }
        return filter.predicate?.test(query.key, state) ?: true
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
            evictionCandidates.clear()
            newestCandidateAccess = Long.MIN_VALUE
        }
        tellObservers(removed, cause)
    }

    /** Tells the observers of removed queries, with no lock held (they may re-attach at once). */
    private fun tellObservers(removed: List<Removal>, cause: RemovalCause) {
        for (removal in removed) {
            for (observer in removal.observers) observer.onQueryRemoved(removal.query, cause)
        }
    }

    /** A query that left the cache, and the observers it had. */
    private class Removal(val query: Query<*>, val observers: Array<QueryStateObserver>)

    fun close() {
        if (isClosed) return
        isClosed = true
        clear(RemovalCause.CLOSED)
        persistence?.close()
        job.cancel()
    }

    /** Removes [query] and returns it; its observers are told by the caller after the lock. */
    private fun removeLocked(query: Query<*>, cause: RemovalCause): Removal {
        map.remove(query.key, query)
        index.remove(query)
        val observers = query.onRemoved()
        emit { QueryCacheEvent.Removed(query.key, cause) }
        return Removal(query, observers)
    }

    /** Called by the gc scheduler: removes [query] if it is still cached, inactive and due at [deadline]. */
    private fun expire(query: Query<*>, deadline: Long) {
        synchronized(lock) {
            synchronized(query) {
                if (map[query.key] !== query || query.gcDeadline != deadline || !query.isInactive) return
                removeLocked(query, RemovalCause.GC)
                stats.gcRemovals.increment()
            }
        }
    }

    private class Candidate(val query: Query<*>, val lastAccess: Long)

    private fun makeRoomForOne() {
        var excess = map.size + 1 - config.cacheMaxSize
        while (excess > 0) {
            val victim = nextEvictionCandidate() ?: return
            synchronized(victim) {
                if (map[victim.key] === victim && victim.isInactive) {
                    removeLocked(victim, RemovalCause.EVICTED)
                    stats.evictions.increment()
                    excess--
                }
            }
        }
    }

    /**
     * The least recently used inactive query, or `null` if none. Candidates
     * are found by one scan and kept in order for later evictions, so a full cache pays about one
     * scan per `size / 16` evictions; a candidate used or activated since the scan is skipped,
     * and the candidates are dropped when any query becomes inactive (it may be older than them).
     */
    private fun nextEvictionCandidate(): Query<*>? {
        if (evictionCandidatesStale) {
            evictionCandidatesStale = false
            evictionCandidates.clear()
            newestCandidateAccess = Long.MIN_VALUE
        }
        var refilled = false
        while (true) {
            val candidate = evictionCandidates.removeFirstOrNull()
            if (candidate == null) {
                if (refilled) return null
                refillEvictionCandidates()
                refilled = true
                continue
            }
            val query = candidate.query
            if (map[query.key] === query && query.lastAccess == candidate.lastAccess && query.isInactive) {
                return query
            }
        }
    }

    /** How many eviction scans ran (they should be rare: see [nextEvictionCandidate]). */
    @Volatile
    var evictionScans: Int = 0
        private set

    private fun refillEvictionCandidates() {
        evictionScans++
        val oldest = map.values.filter { it.isInactive }
            .map { Candidate(it, it.lastAccess) }
            .sortedWith(compareBy<Candidate> { it.lastAccess }.thenBy { it.query.sequence })
            .take(maxOf(8, map.size / 16))
        evictionCandidates.addAll(oldest)
        newestCandidateAccess = oldest.lastOrNull()?.lastAccess ?: Long.MIN_VALUE
    }

    /** Publishes [event] to [events] when anyone listens (no allocation or lock otherwise). */
    inline fun emit(event: () -> QueryCacheEvent) {
        if (eventCollectors.get() > 0) eventFlow.tryEmit(event())
    }

    fun logFailure(what: String, error: Throwable) {
        log.warn("StackQuery: {} failed", what, error)
    }

    private companion object {
        val log = LoggerFactory.getLogger(QueryCache::class.java)
    }
}
