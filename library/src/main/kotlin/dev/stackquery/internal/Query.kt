package dev.stackquery.internal

import dev.stackquery.FetchStatus
import dev.stackquery.QueryCacheEvent
import dev.stackquery.QueryCacheEvent.RemovalCause
import dev.stackquery.QueryClientClosedException
import dev.stackquery.QueryCancelledException
import dev.stackquery.QueryKey
import dev.stackquery.QueryState
import dev.stackquery.QueryStatus
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Job
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.async
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.delay
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * One cached query: its state, its single in-flight fetch, its observers and its gc bookkeeping.
 *
 * Every state change happens under this object's monitor and replaces [state] with a new
 * immutable value, so readers never lock. At most one fetch runs at a time: callers that ask while
 * one is in flight join it ([fetch] returns the same `Deferred`), and a fetch started while a
 * cancelled one of the same key is still finishing waits for it before calling the query function.
 * The fetch runs in the client's scope, not the caller's, so a caller's cancellation only detaches
 * that caller. No user code runs under the monitor: `setQueryData` updaters run outside it and
 * retry if they lose a race, and observers (select, listeners) are told after it is released
 * ([locked]). Event collectors on an unconfined dispatcher are the one exception (see events).
 *
 * Lock order: the cache's lock, then a query's monitor, then the gc scheduler's lock.
 */
internal class Query<T>(
    val key: QueryKey,
    private val cache: QueryCache,
    initial: QueryState<T>,
    /** Creation order, the tie-breaker for least-recently-used eviction. */
    val sequence: Long,
) {
    /** The current state; replaced (never mutated) under the monitor, read without it. */
    @Volatile
    var state: QueryState<T> = initial
        private set

    /** The latest options a fetch was asked with; `null` for a query made by `setQueryData`. */
    @Volatile
    var resolved: ResolvedOptions<T>? = null

    /** Last access time (clock ms); written only when it changes, read racily by the evictor. */
    @JvmField
    var lastAccess: Long = 0

    /** The gc deadline this query is (or was last) scheduled for, or [NO_DEADLINE]. See [GcScheduler]. */
    @Volatile
    @JvmField
    var gcDeadline: Long = NO_DEADLINE

    /** This query's position in the gc heap, or -1; guarded by the [GcScheduler]'s lock. */
    @JvmField
    var gcHeapIndex: Int = -1

    /** Set once the query has left the cache; a removed query never fetches or schedules gc again. */
    @Volatile
    var isRemoved: Boolean = false
        private set

    private var inFlight: Fetch<T>? = null // guarded by this
    private val observers = ArrayList<QueryStateObserver>() // guarded by this

    /** [observers] as of the last change, read without the monitor to notify them. */
    @Volatile
    private var observerSnapshot: Array<QueryStateObserver> = NO_OBSERVERS

    /** Set once the L2 tier was read for this query (or it had data of its own): it is never read again. */
    private var hydrated = false // guarded by this

    private var pollJob: Job? = null // guarded by this
    private var pollIntervalMillis = 0L // guarded by this; 0 = not polling

    /** A query is active while observed. */
    val isActive: Boolean get() = synchronized(this) { observers.isNotEmpty() }

    /** Inactive: no observer and no fetch in flight. Only inactive queries are collected or evicted. */
    val isInactive: Boolean get() = synchronized(this) { isIdleLocked() }

    /** Under the monitor: no observer and no fetch in flight. */
    private fun isIdleLocked(): Boolean = observers.isEmpty() && inFlight == null

    /** How many observers are attached. */
    val observerCount: Int get() = synchronized(this) { observers.size }

    /** Tells the observers about the current state; no-op under the monitor (the outermost [locked] does it). */
    fun notifyObservers() {
        val snapshot = observerSnapshot
        if (snapshot.isEmpty() || isRemoved || Thread.holdsLock(this)) return
        for (observer in snapshot) observer.onQueryChanged()
    }

    /**
     * Fetches again with the latest options if the query has a query function and is enabled
     * (by any attached observer, or by its latest options when it has none); `null` when it has
     * no function (made by `setQueryData`), is disabled, or has left the cache.
     */
    fun refetch(cancelInFlight: Boolean): Deferred<T>? {
        val options = resolved ?: return null
        if (!isEnabled(options)) return null
        return fetch(options, cancelInFlight)
    }

    /** Enabled when any attached observer is; with none, as the latest options say. */
    private fun isEnabled(options: ResolvedOptions<T>): Boolean = synchronized(this) {
        if (observers.isEmpty()) options.options.enabled else observers.any { it.isEnabled }
    }

    fun touch(now: Long) {
        if (lastAccess != now) lastAccess = now
    }

    /**
     * Starts a fetch with [options], or joins the one in flight. With [cancelInFlight], a fetch in
     * flight is cancelled first (its state reverted) and a new one started. Returns `null` when
     * the query has left the cache (the caller looks the key up again).
     *
     * @throws dev.stackquery.QueryClientClosedException when the client is closed.
     */
    fun fetch(options: ResolvedOptions<T>, cancelInFlight: Boolean = false): Deferred<T>? {
        val run = locked {
            resolved = options
            val current = inFlight
            if (current != null) {
                if (!cancelInFlight) {
                    cache.stats.dedupJoins.increment()
                    return current.job
                }
                abandon(current, "refetch requested")
            }
            cache.checkOpen()
            if (isRemoved) return null
            val before = state
            val run = Fetch(before)
            if (!hydrated && !before.hasData && cache.persistence != null && options.options.codec != null) {
                run.hydration = CompletableDeferred()
            }
            val previous = cache.drainingFetches(key)
            run.job = cache.scope.async(start = CoroutineStart.LAZY) {
                if (previous.isNotEmpty()) {
                    // Cancelled executions of this key are still finishing: never run two at once.
                    withContext(NonCancellable) { previous.forEach { it.join() } }
                    ensureActive()
                }
                execute(run, options)
            }
            inFlight = run
            setState(
                if (before.hasData) {
                    before.copy(fetchStatus = FetchStatus.FETCHING, failureCount = 0, failureReason = null)
                } else {
                    before.copy(
                        status = QueryStatus.PENDING, fetchStatus = FetchStatus.FETCHING,
                        error = null, failureCount = 0, failureReason = null,
                    )
                },
            )
            cache.gc.cancel(this)
            cache.emit { QueryCacheEvent.FetchStarted(key) }
            run.job.invokeOnCompletion { cause ->
                run.hydration?.complete(Unit)
                if (cause != null) onCancelled(run)
            }
            run
        }
        run.job.start()
        return run.job
    }

    /**
     * Reads the data or fetches, deciding on the state as it is under the monitor (so a fetch
     * that settles meanwhile is not repeated). Returns a [Found] with the data, the `Deferred` of
     * the fetch to wait for, or [REMOVED] when the query has left the cache.
     *
     * - [LookupMode.REVALIDATE] (`fetchQuery`): fresh data is found; stale data is found and a
     *   background fetch started (or joined); no data: wait for a fetch.
     * - [LookupMode.ENSURE] (`ensureQueryData`): any data is found; no data: wait for a fetch.
     * - [LookupMode.PREFETCH] (`prefetchQuery`): fresh data is found; otherwise wait for a fetch.
     *
     * A query with no data that persists to L2 first reads its persisted entry, in the fetch it
     * starts: meanwhile lookup returns a [Hydrating] to wait for before looking up again (the
     * hydrated data is then found, fresh or stale, by the rules above). That second lookup passes
     * the fetch it waited for as [awaited]: once that fetch is no longer in flight (it settled,
     * failed or was cancelled), it is returned as is, so the caller gets its outcome (its data,
     * its error, or [dev.stackquery.QueryCancelledException]) instead of starting another fetch.
     */
    fun lookup(options: ResolvedOptions<T>, mode: LookupMode, awaited: Deferred<*>? = null): Any? = locked {
        if (awaited != null && inFlight?.job !== awaited) return awaited
        if (isRemoved) return REMOVED
        val current = state
        if (current.hasData) {
            val stale = isStale(current, options.staleTimeMillis, cache.clock.nowMillis())
            if (!stale || mode == LookupMode.ENSURE) return Found(current.data, stale)
            if (mode == LookupMode.REVALIDATE) {
                fetch(options)
                return Found(current.data, stale = true)
            }
        }
        val job = fetch(options)
        val run = inFlight
        val gate = run?.hydration
        if (gate != null && !gate.isCompleted) Hydrating(gate, run.job) else job
    }

    /** Cancels the fetch in flight, if any, reverting the state; waits until it has stopped. */
    suspend fun cancel(reason: String) {
        val run = locked { inFlight?.also { abandon(it, reason) } } ?: return
        run.job.join()
    }

    /**
     * Marks the query invalidated (and, with [persist], writes the flag to the L2 tier; with
     * [rewrite], writes it even if the query was invalidated already, its entry having just been
     * deleted); a fetch in flight then settles still invalidated.
     */
    fun invalidate(persist: Boolean = true, rewrite: Boolean = false) = locked {
        // Found by a filter just before it was removed: its entry may be deleted already, never write it back.
        if (isRemoved) return@locked
        inFlight?.invalidated = true
        if (!state.isInvalidated) {
            val next = state.copy(isInvalidated = true)
            setState(next)
            if (persist) persist(next)
        } else if (persist && rewrite) {
            persist(state)
        }
    }

    /** The current data as a persisted envelope, or `null` without data or codec (or if the codec fails). */
    fun envelope(): String? {
        val current = state
        val codec = resolved?.options?.codec ?: return null
        if (!current.hasData) return null
        return try {
            @Suppress("UNCHECKED_CAST")
            Envelope.encode(codec, current.data as T, current.dataUpdatedAt, current.isInvalidated, cache.config.buster)
        } catch (e: Exception) {
            cache.logFailure("encoding $key for the other instances", e)
            null
        }
    }

    /**
     * Takes the data another instance set ([entry], a persisted envelope), unless this query's
     * data is newer. False when [entry] cannot be read here (no entry, no codec, another buster):
     * the caller invalidates instead. Neither persisted nor published (the origin did both).
     */
    fun applyRemote(entry: String?): Boolean {
        val codec = resolved?.options?.codec ?: return false
        val persisted = try {
            Envelope.decode(entry ?: return false, cache.config.buster, codec)
        } catch (e: Exception) {
            null
        } ?: return false
        locked {
            if (isRemoved) return true
            val current = state
            if (current.hasData && current.dataUpdatedAt > persisted.dataUpdatedAt) return true
            inFlight?.let {
                it.invalidated = false
                it.dataWritten = true
            }
            hydrated = true
            val next = current.withData(persisted.data, persisted.dataUpdatedAt)
            setState(if (persisted.invalidated) next.copy(isInvalidated = true) else next)
        }
        return true
    }

    /**
     * Writes `updater(current data or null)` as SUCCESS (clearing error and invalidation), keeping
     * the fetch status. [updater] runs outside the monitor; if the state changed meanwhile it runs
     * again on the new state (compare-and-set), so the update is atomic without holding a lock
     * around user code. Returns the new data, or [REMOVED] (and writes nothing) when the query has
     * left the cache.
     */
    fun updateData(updater: (T?) -> T): Any? {
        while (true) {
            val current = state
            if (isRemoved) return REMOVED
            val data = updater(if (current.hasData) current.data else null)
            val written = synchronized(this) {
                if (isRemoved) return REMOVED
                if (state !== current) return@synchronized false
                inFlight?.let {
                    it.invalidated = false
                    it.dataWritten = true
                }
                val next = current.withData(data, cache.clock.nowMillis())
                setState(next)
                hydrated = true
                persist(next)
                true
            }
            if (written) {
                notifyObservers()
                return data
            }
        }
    }

    /** Replaces the state with [initial], cancelling any fetch in flight. */
    fun reset(initial: QueryState<T>) = locked {
        val run = inFlight
        if (run != null) abandon(run, "query reset", replacement = initial) else setState(initial)
    }

    /**
     * Attaches [observer]: the query becomes active (its gc timer stops), polling follows the
     * observers' periods, and (unless [notify] is false) the observers are told the current state.
     * False (and nothing attached) when the query has left the cache.
     */
    fun addObserver(observer: QueryStateObserver, notify: Boolean = true): Boolean {
        synchronized(this) {
            if (isRemoved) return false
            observers += observer
            observerSnapshot = observers.toTypedArray()
            cache.gc.cancel(this)
            updatePolling()
        }
        if (notify) notifyObservers()
        return true
    }

    /** Detaches [observer]; the last one leaving starts the gc timer. */
    fun removeObserver(observer: QueryStateObserver): Unit = synchronized(this) {
        if (!observers.remove(observer)) return
        observerSnapshot = observers.toTypedArray()
        updatePolling()
        scheduleGcIfInactive()
    }

    /**
     * Polls at the shortest period the observers ask for (none: no polling). Call after an
     * observer's period or `enabled` changed. Each tick starts a fetch with the latest options, or
     * joins the one in flight, without waiting for it, so a failed fetch never stops polling.
     */
    fun updatePolling(): Unit = synchronized(this) {
        var interval = Long.MAX_VALUE
        for (observer in observers) {
            val period = observer.pollIntervalMillis
            if (period in 1 until interval) interval = period
        }
        if (interval == Long.MAX_VALUE || isRemoved) interval = 0
        if (interval == pollIntervalMillis) return
        pollJob?.cancel()
        pollIntervalMillis = interval
        pollJob = if (interval == 0L) null else cache.scope.launch {
            while (true) {
                delay(interval)
                val options = resolved ?: continue
                try {
                    fetch(options)
                } catch (e: QueryClientClosedException) {
                    return@launch
                }
            }
        }
    }

    /**
     * Called by the cache, under its lock, once the query left it: cancels the fetch in flight,
     * polling and the gc timer. Returns the observers, which the cache tells once its lock is
     * released.
     */
    fun onRemoved(): Array<QueryStateObserver> = synchronized(this) {
        isRemoved = true
        inFlight?.let { abandon(it, "query removed") }
        pollJob?.cancel()
        pollJob = null
        cache.gc.cancel(this)
        observerSnapshot
    }

    /**
     * Starts the gc timer of an inactive query that has none. New queries start without a timer
     * (so a fetch that follows at once is not raced by it); the operation that created one calls
     * this when it did not start a fetch or add an observer.
     */
    fun ensureGcScheduled() = synchronized(this) {
        if (gcHeapIndex < 0 && isIdleLocked() && !isRemoved) {
            cache.gc.schedule(this, gcTimeMillis())
        }
    }

    /** After a fetch settled or an observer left: an inactive query starts its gc timer. */
    private fun scheduleGcIfInactive() {
        if (isIdleLocked() && !isRemoved) {
            cache.gc.schedule(this, gcTimeMillis())
            cache.onBecameInactive(this)
        }
    }

    private fun gcTimeMillis(): Long = resolved?.gcTimeMillis ?: cache.config.gcTimeMillis

    private fun setState(next: QueryState<T>) {
        state = next
        cache.emit { QueryCacheEvent.Updated(key, next) }
    }

    /**
     * Under the monitor: forgets [run], cancels its job and sets [replacement], by default the
     * state [run] replaced with `fetchStatus = IDLE` (keeping data written meanwhile by
     * `setQueryData`, and the invalidation flag).
     */
    private fun abandon(run: Fetch<T>, reason: String, replacement: QueryState<T>? = null) {
        inFlight = null
        val current = state
        val next = when {
            replacement != null -> replacement
            run.dataWritten -> current.copy(fetchStatus = FetchStatus.IDLE)
            else -> run.before.copy(fetchStatus = FetchStatus.IDLE, isInvalidated = current.isInvalidated)
        }
        setState(next)
        cache.emit { QueryCacheEvent.FetchSettled(key, next) }
        run.job.cancel(QueryCancelledException(key, reason))
        if (!run.job.isCompleted) cache.fetchDraining(key, run.job)
        scheduleGcIfInactive()
    }

    private fun onCancelled(run: Fetch<T>) = locked {
        if (inFlight === run) abandon(run, "fetch cancelled")
    }

    private suspend fun execute(run: Fetch<T>, options: ResolvedOptions<T>): T {
        run.hydration?.let { gate ->
            try {
                val hydrated = hydrate(run, options)
                @Suppress("UNCHECKED_CAST")
                if (hydrated !== NOT_HYDRATED) return hydrated as T
            } finally {
                gate.complete(Unit)
            }
            currentCoroutineContext().ensureActive()
        }
        cache.stats.fetches.increment()
        var failures = 0
        while (true) {
            val data = try {
                options.options.queryFn()
            } catch (thrown: Throwable) {
                val e = failureOf(thrown, "the query function of $key")
                failures++
                if (failures <= options.retry && shouldRetry(options, failures, e)) {
                    settleAttempt(run) { it.copy(failureCount = failures, failureReason = e) }
                    cache.stats.retries.increment()
                    delay(delayMillis(options, failures, e))
                    continue
                }
                cache.stats.fetchFailures.increment()
                val now = cache.clock.nowMillis()
                val settled = settle(run) {
                    it.copy(
                        status = QueryStatus.ERROR, fetchStatus = FetchStatus.IDLE, error = e,
                        errorUpdatedAt = now, failureCount = failures, failureReason = e,
                    )
                }
                if (settled) {
                    guard("onError") { options.options.onError?.invoke(e) }
                    guard("onSettled") { options.options.onSettled?.invoke(null, e) }
                }
                throw e
            }
            val settled = settle(run, persist = true) {
                val next = it.withData(data, cache.clock.nowMillis(), FetchStatus.IDLE)
                if (run.invalidated) next.copy(isInvalidated = true) else next
            }
            if (settled) {
                guard("onSuccess") { options.options.onSuccess?.invoke(data) }
                guard("onSettled") { options.options.onSettled?.invoke(data, null) }
            }
            return data
        }
    }

    private fun settleAttempt(run: Fetch<T>, update: (QueryState<T>) -> QueryState<T>) = locked {
        if (inFlight === run) setState(update(state))
    }

    /**
     * Reads [run]'s query from the L2 tier and applies what it finds, unless data arrived
     * meanwhile (`setQueryData`). Fresh data settles [run] and is returned (the query function is
     * not called); stale or invalidated data becomes the state while [run] goes on to fetch;
     * otherwise [NOT_HYDRATED].
     */
    private suspend fun hydrate(run: Fetch<T>, options: ResolvedOptions<T>): Any? {
        val persistence = cache.persistence ?: return NOT_HYDRATED
        val persisted = persistence.read(key, options.options.codec ?: return NOT_HYDRATED)
        return locked {
            if (inFlight !== run) return NOT_HYDRATED
            hydrated = true
            if (persisted == null || state.hasData) return NOT_HYDRATED
            var next = state.withData(persisted.data, persisted.dataUpdatedAt, FetchStatus.FETCHING)
            if (persisted.invalidated) next = next.copy(isInvalidated = true)
            val stale = isStale(next, options.staleTimeMillis, cache.clock.nowMillis())
            persistence.countHit(stale)
            if (!stale) {
                settle(run) { next.copy(fetchStatus = FetchStatus.IDLE) }
                return persisted.data
            }
            run.dataWritten = true // cancelling the refetch keeps the hydrated data
            setState(next)
            NOT_HYDRATED
        }
    }

    /** Writes [snapshot] to the L2 tier if this query persists (a codec, a storage) and has data. */
    private fun persist(snapshot: QueryState<T>) {
        val persistence = cache.persistence ?: return
        val options = resolved ?: return
        val codec = options.options.codec ?: return
        if (!snapshot.hasData || snapshot.isPlaceholderData) return
        @Suppress("UNCHECKED_CAST")
        persistence.write(
            key, snapshot.data as T, snapshot.dataUpdatedAt, snapshot.isInvalidated, codec,
            Persistence.ttl(cache.config, options.gcTimeMillis),
        )
    }

    /**
     * Ends [run] with the state [update] makes (and, with [persist], writes it to the L2 tier);
     * false when [run] was abandoned meanwhile.
     */
    private fun settle(run: Fetch<T>, persist: Boolean = false, update: (QueryState<T>) -> QueryState<T>): Boolean = locked {
        if (inFlight !== run) return false
        inFlight = null
        val next = update(state)
        setState(next)
        if (persist) persist(next)
        cache.emit { QueryCacheEvent.FetchSettled(key, next) }
        scheduleGcIfInactive()
        true
    }

    private fun shouldRetry(options: ResolvedOptions<T>, failures: Int, error: Throwable): Boolean =
        try {
            options.retryPolicy.shouldRetry(failures, error)
        } catch (e: Exception) {
            cache.logFailure("retry policy of $key", e)
            false
        }

    private fun delayMillis(options: ResolvedOptions<T>, failures: Int, error: Throwable): Long =
        try {
            options.retryPolicy.delayMillis(failures, error).coerceAtLeast(0)
        } catch (e: Exception) {
            cache.logFailure("retry policy of $key", e)
            0
        }

    private inline fun guard(callback: String, block: () -> Unit) {
        try {
            block()
        } catch (e: Throwable) {
            if (e is VirtualMachineError) throw e
            cache.logFailure("$callback callback of $key", e)
        }
    }

    /** One execution of the query function, shared by every caller that joined it. */
    private class Fetch<T>(val before: QueryState<T>) {
        lateinit var job: Deferred<T>

        /** Set when the query is invalidated while this fetch runs: its result settles stale. */
        var invalidated = false // guarded by the query's monitor

        /** Set when `setQueryData` wrote while this fetch ran: cancelling it keeps that data. */
        var dataWritten = false // guarded by the query's monitor

        /** Completed once this fetch has read the L2 tier; `null` when it does not read it. */
        var hydration: CompletableDeferred<Unit>? = null
    }

    /** What [lookup] returns while [fetch] reads the L2 tier: wait for [gate], then look up again passing [fetch]. */
    class Hydrating(val gate: Deferred<Unit>, val fetch: Deferred<*>)

    /** Data [lookup] found, whether it was stale, and whether it had just been read from the L2 tier. */
    class Found<out T>(val data: T, val stale: Boolean, val fromStorage: Boolean = false)

    enum class LookupMode { REVALIDATE, ENSURE, PREFETCH }

    companion object {
        const val NO_DEADLINE: Long = Long.MIN_VALUE

        /** What [updateData] returns for a query that has left the cache. */
        val REMOVED: Any = Any()

        private val NOT_HYDRATED: Any = Any()

        private val NO_OBSERVERS = arrayOf<QueryStateObserver>()
    }
}

/**
 * Runs [block] under the query's monitor, then tells its observers about the resulting state,
 * outside the monitor (so no observer or collector code runs under it). Nested calls notify once,
 * when the outermost releases the monitor.
 */
internal inline fun <R> Query<*>.locked(block: () -> R): R =
    try {
        synchronized(this, block)
    } finally {
        notifyObservers() // also after a non-local return from block
    }
