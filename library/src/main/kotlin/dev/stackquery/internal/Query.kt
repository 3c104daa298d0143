package dev.stackquery.internal

import dev.stackquery.FetchStatus
import dev.stackquery.QueryCacheEvent
import dev.stackquery.QueryCancelledException
import dev.stackquery.QueryKey
import dev.stackquery.QueryState
import dev.stackquery.QueryStatus
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.async
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.delay
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.withContext

/**
 * One cached query: its state, its single in-flight fetch, its observers and its gc bookkeeping.
 *
 * Every state change happens under this object's monitor and replaces [state] with a new
 * immutable value, so readers never lock. At most one fetch runs at a time: callers that ask while
 * one is in flight join it ([fetch] returns the same `Deferred`), and a fetch started while a
 * cancelled one of the same key is still finishing waits for it before calling the query function. The fetch runs in the client's
 * scope, not the caller's, so a caller's cancellation only detaches that caller.
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
    private val stateFlow = MutableStateFlow(initial)

    /** The current state; a volatile read. */
    val state: QueryState<T> get() = stateFlow.value

    /** The state as a flow, for observers. */
    val states: StateFlow<QueryState<T>> get() = stateFlow

    /** The latest options a fetch was asked with; `null` for a query made by `setQueryData`. */
    @Volatile
    var resolved: ResolvedOptions<T>? = null

    /** Last access time (clock ms); written only when it changes, read racily by the evictor. */
    @JvmField
    var lastAccess: Long = 0

    /** The gc deadline this query is scheduled for, or [NO_DEADLINE]. See [GcScheduler]. */
    @Volatile
    @JvmField
    var gcDeadline: Long = NO_DEADLINE

    /** Set once the query has left the cache; a removed query never fetches or schedules gc again. */
    @Volatile
    var isRemoved: Boolean = false
        private set

    private var inFlight: Fetch<T>? = null // guarded by this
    private var observers = 0 // guarded by this

    /** A query is active while observed. */
    val isActive: Boolean get() = synchronized(this) { observers > 0 }

    /** Inactive: no observer and no fetch in flight. Only inactive queries are collected or evicted. */
    val isInactive: Boolean get() = synchronized(this) { observers == 0 && inFlight == null }

    /**
     * Fetches again with the latest options if the query has a query function and is enabled;
     * `null` when it has none (made by `setQueryData`), is disabled, or has left the cache.
     */
    fun refetch(cancelInFlight: Boolean): Deferred<T>? {
        val options = resolved ?: return null
        if (!options.options.enabled) return null
        return fetch(options, cancelInFlight)
    }

    val isFetchInFlight: Boolean get() = synchronized(this) { inFlight != null }

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
        val run: Fetch<T>
        synchronized(this) {
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
            run = Fetch(before)
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
            run.job.invokeOnCompletion { cause -> if (cause != null) onCancelled(run) }
        }
        run.job.start()
        return run.job
    }

    /** Cancels the fetch in flight, if any, reverting the state; waits until it has stopped. */
    suspend fun cancel(reason: String) {
        val run = synchronized(this) { inFlight?.also { abandon(it, reason) } } ?: return
        run.job.join()
    }

    /** Marks the query invalidated; a fetch in flight then settles still invalidated. */
    fun invalidate() = synchronized(this) {
        inFlight?.invalidated = true
        if (!state.isInvalidated) setState(state.copy(isInvalidated = true))
    }

    /**
     * Writes `updater(current data or null)` as SUCCESS (clearing error and invalidation), keeping
     * the fetch status, atomically for this query. Returns the new data, or [REMOVED] (and writes
     * nothing) when the query has left the cache.
     */
    fun updateData(updater: (T?) -> T): Any? = synchronized(this) {
        if (isRemoved) return REMOVED
        val current = state
        val data = updater(if (current.hasData) current.data else null)
        inFlight?.let {
            it.invalidated = false
            it.dataWritten = true
        }
        setState(current.withData(data, cache.clock.nowMillis()))
        data
    }

    /** Replaces the state with [initial], cancelling any fetch in flight. */
    fun reset(initial: QueryState<T>) = synchronized(this) {
        val run = inFlight
        if (run != null) abandon(run, "query reset", replacement = initial) else setState(initial)
    }

    /** Counts one more observer; false (and nothing counted) when the query has left the cache. */
    fun addObserver(): Boolean = synchronized(this) {
        if (isRemoved) return false
        observers++
        cache.gc.cancel(this)
        true
    }

    fun removeObserver() = synchronized(this) {
        check(observers > 0) { "no observer to remove from $key" }
        observers--
        scheduleGcIfInactive()
    }

    /** Called by the cache once the query left it: cancels the fetch in flight and the gc timer. */
    fun onRemoved() = synchronized(this) {
        isRemoved = true
        inFlight?.let { abandon(it, "query removed") }
        cache.gc.cancel(this)
    }

    /** Called under the cache lock after creation: an inactive new query starts its gc timer. */
    fun onCreated() = synchronized(this) { scheduleGcIfInactive() }

    private fun scheduleGcIfInactive() {
        if (observers == 0 && inFlight == null && !isRemoved) {
            cache.gc.schedule(this, resolved?.gcTimeMillis ?: cache.config.gcTimeMillis)
            cache.onBecameInactive()
        }
    }

    private fun setState(next: QueryState<T>) {
        stateFlow.value = next
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

    private fun onCancelled(run: Fetch<T>) = synchronized(this) {
        if (inFlight === run) abandon(run, "fetch cancelled")
    }

    private suspend fun execute(run: Fetch<T>, options: ResolvedOptions<T>): T {
        cache.stats.fetches.increment()
        var failures = 0
        while (true) {
            val data = try {
                options.options.queryFn()
            } catch (e: Throwable) {
                currentCoroutineContext().ensureActive() // our own cancellation: not a failure
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
            val settled = settle(run) {
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

    private fun settleAttempt(run: Fetch<T>, update: (QueryState<T>) -> QueryState<T>) = synchronized(this) {
        if (inFlight === run) setState(update(state))
    }

    /** Ends [run] with the state [update] makes; false when [run] was abandoned meanwhile. */
    private fun settle(run: Fetch<T>, update: (QueryState<T>) -> QueryState<T>): Boolean = synchronized(this) {
        if (inFlight !== run) return false
        inFlight = null
        val next = update(state)
        setState(next)
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
        } catch (e: Exception) {
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
    }

    companion object {
        const val NO_DEADLINE: Long = Long.MIN_VALUE

        /** What [updateData] returns for a query that has left the cache. */
        val REMOVED: Any = Any()
    }
}
