package dev.stackquery.internal.query

import dev.stackquery.FetchReason
import dev.stackquery.FetchStatus
import dev.stackquery.QueryCacheEvent
import dev.stackquery.QueryCancelledException
import dev.stackquery.QueryClientClosedException
import dev.stackquery.QueryState
import dev.stackquery.QueryStatus
import dev.stackquery.internal.ResolvedOptions
import dev.stackquery.internal.isStale
import dev.stackquery.internal.persistence.Persisted
import kotlinx.coroutines.Deferred

/**
 * A query's one fetch in flight — deduplication and cancellation — and the state transitions a
 * fetch makes: start (`FETCHING`), a failed attempt, hydration, settle, abandon. Guarded by the
 * query's monitor: every method takes it (through [locked]) or is called under it.
 */
internal class FetchSlot<T>(private val query: Query<T>, private val host: QueryHost) {
    private val runtime = host.runtime

    /** The fetch in flight, or `null`; guarded by the query's monitor. */
    @Volatile // read without the monitor by infinite query observers (which page loads)
    var current: FetchRun<T>? = null
        private set

    /**
     * Starts a fetch with [options], or joins the one in flight. With [cancelInFlight], a fetch in
     * flight of a query that has data is cancelled first (its state reverted) and a new one
     * started; a query with no data yet joins it, and so does a page load ([direction]) when the
     * fetch in flight loads a page in the same direction. Returns `null` when
     * the query has left the cache (the caller looks the key up again).
     *
     * @throws QueryClientClosedException when the client is closed.
     */
    fun start(
        options: ResolvedOptions<T>,
        cancelInFlight: Boolean,
        reason: FetchReason,
        direction: PageDirection? = null,
    ): Deferred<T>? {
        val run = query.locked { begin(options, cancelInFlight, reason, direction) } ?: return null
        run.start() // a no-op for a run already started
        return run.job
    }

    /**
     * Under the monitor: the run in flight to join, or a new one (the caller starts it once the
     * monitor is released); `null` when the query has left the cache. (The monitor's blocks in
     * this class call functions instead of returning from inside them: a non-local return out of
     * a `synchronized` block gives bytecode that Lincheck's model checker cannot instrument.)
     */
    private fun begin(
        options: ResolvedOptions<T>,
        cancelInFlight: Boolean,
        reason: FetchReason,
        direction: PageDirection?,
    ): FetchRun<T>? {
        query.resolved = options
        val inFlight = current
        if (inFlight != null) {
            // As TanStack's `cancelRefetch`: only a query with data restarts; one still loading its
            // first data is joined, so the callers waiting for it are not failed. A page load joins
            // one of the same direction (single flight).
            if (!cancelInFlight || !query.state.hasData || (direction != null && inFlight.direction == direction)) {
                runtime.stats.dedupJoins.increment()
                inFlight.continueRetries()
                return inFlight
            }
            abandon(inFlight, "refetch requested")
        }
        runtime.checkOpen()
        if (query.isRemoved) return null
        val before = query.state
        val hydrate = host.l2?.wantsHydration(options, before, query.hydrated) == true
        val run = FetchRun(query, this, host, before, options, hydrate, direction)
        current = run
        val paused = !runtime.conditions.now.canStart(options.networkMode)
        query.setState(before.fetching(if (paused) FetchStatus.PAUSED else FetchStatus.FETCHING))
        host.gc.cancel(query)
        query.lastFetchReason = reason
        query.lastDirection = direction
        runtime.stats.fetchesStarted[reason.ordinal].increment()
        runtime.emit { QueryCacheEvent.FetchStarted(query.key, reason) }
        return run
    }

    /**
     * Reads the data or fetches, deciding on the state as it is under the monitor (so a fetch
     * that settles meanwhile is not repeated):
     * - [LookupMode.REVALIDATE] (`fetchQuery`): fresh data is found; stale data is found and a
     *   background fetch started (or joined); no data: wait for a fetch.
     * - [LookupMode.ENSURE] (`ensureQueryData`): any data is found; no data: wait for a fetch.
     * - [LookupMode.PREFETCH] (`prefetchQuery`): fresh data is found; otherwise wait for a fetch.
     *
     * A query with no data that persists to L2 first reads its persisted entry, in the fetch it
     * starts: meanwhile the result is [LookupResult.Hydrating]. The lookup after it passes that
     * fetch as [awaited]: once it is no longer in flight, it is the answer as is (its data, its
     * error, or its cancellation), so the caller never starts another fetch.
     *
     * A caller that [waits] is counted as a waiter of the query ([Query.addWaiter]) when the
     * result is [LookupResult.Wait] or [LookupResult.Hydrating], unless it already is ([counted]:
     * since the hydration it waited for); the caller removes it once it stops waiting.
     */
    fun lookup(
        options: ResolvedOptions<T>,
        mode: LookupMode,
        awaited: Deferred<*>?,
        waits: Boolean,
        reason: FetchReason,
        counted: Boolean,
    ): LookupResult<T> = query.locked { lookupLocked(options, mode, awaited, waits, reason, counted) }

    private fun lookupLocked(
        options: ResolvedOptions<T>,
        mode: LookupMode,
        awaited: Deferred<*>?,
        waits: Boolean,
        reason: FetchReason,
        counted: Boolean,
    ): LookupResult<T> {
        if (awaited != null && current?.job !== awaited) {
            @Suppress("UNCHECKED_CAST") // awaited is a fetch of this query, so a Deferred<T>
            return LookupResult.Wait(awaited as Deferred<T>)
        }
        if (query.isRemoved) return LookupResult.Removed
        val state = query.state
        if (state.hasData) {
            val stale = isStale(state, options.staleTimeFor(query.key, state, runtime), runtime.clock.nowMillis())
            @Suppress("UNCHECKED_CAST") // hasData: data is a T, even when T is nullable
            if (!stale || mode == LookupMode.ENSURE) return LookupResult.Found(state.data as T, stale)
            if (mode == LookupMode.REVALIDATE) {
                start(options, cancelInFlight = false, reason)
                @Suppress("UNCHECKED_CAST") // as above
                return LookupResult.Found(state.data as T, stale = true)
            }
        }
        val job = start(options, cancelInFlight = false, reason) ?: return LookupResult.Removed
        // Counted before the monitor is released (the caller's removeWaiter matches it), also while
        // it waits for the hydration: a fetch that pauses after it must know someone waits for it.
        if (waits && !counted) query.addWaiter()
        val gate = current?.hydration
        if (gate != null && !gate.isCompleted) return LookupResult.Hydrating(gate, job)
        return if (waits) LookupResult.Wait(job, query) else LookupResult.Wait(job)
    }

    /**
     * Cancels the fetch in flight, if any, and waits until it has stopped. With [revert] the state
     * goes back to the one before the fetch; without, it settles in ERROR with the cancellation as
     * its error, its data kept (TanStack's `revert: false`).
     */
    suspend fun cancel(reason: String, revert: Boolean = true) {
        val run = query.locked { current?.also { cancelLocked(it, reason, revert) } } ?: return
        run.job.join()
    }

    private fun cancelLocked(run: FetchRun<T>, reason: String, revert: Boolean) {
        if (revert) {
            abandon(run, reason)
            return
        }
        val cancelled = QueryCancelledException(query.key, reason)
        val state = query.state
        val failed = state.copy(
            status = QueryStatus.ERROR,
            fetchStatus = FetchStatus.IDLE,
            error = cancelled,
            errorUpdatedAt = runtime.clock.nowMillis(),
            failureCount = state.failureCount + 1,
            failureReason = cancelled,
            errorUpdateCount = state.errorUpdateCount + 1,
        )
        abandon(run, reason, failed, cancelled)
    }

    /**
     * Under the monitor: forgets [run], cancels its job and sets [replacement], by default the
     * state [run] replaced with `fetchStatus = IDLE` (keeping data written meanwhile, and the
     * invalidation flag).
     */
    fun abandon(
        run: FetchRun<T>,
        reason: String,
        replacement: QueryState<T>? = null,
        cause: QueryCancelledException = QueryCancelledException(query.key, reason),
    ) {
        current = null
        val next = replacement ?: run.revertedState(query.state)
        query.setState(next)
        runtime.emit { QueryCacheEvent.FetchSettled(query.key, next, isCancelled = true) }
        run.cancel(cause)
        query.scheduleGcIfInactive()
    }

    /** [run]'s job ended with a cancellation it did not get from [abandon]. */
    fun onRunCancelled(run: FetchRun<T>) = query.locked {
        if (current === run) abandon(run, "fetch cancelled")
    }

    /**
     * Before an attempt of [run] (its [first], or a retry), with [ready] telling whether the focus
     * and network conditions allow it now: [Turn.RUN] (the state made `FETCHING` if it was
     * paused); [Turn.WAIT] (the state made `PAUSED`; wait for the conditions); or [Turn.DROP] when
     * [run] is no longer in flight or nobody wants it (no observer, no caller waiting), so it never
     * runs later for nobody: a first attempt is then abandoned (the state as before the fetch), a
     * retry gives up with its last failure.
     */
    fun turn(run: FetchRun<T>, ready: Boolean, first: Boolean): Turn = query.locked { turnLocked(run, ready, first) }

    private fun turnLocked(run: FetchRun<T>, ready: Boolean, first: Boolean): Turn {
        if (current !== run) return Turn.DROP
        val state = query.state
        if (ready) {
            if (state.fetchStatus == FetchStatus.PAUSED) query.setState(state.copy(fetchStatus = FetchStatus.FETCHING))
            return Turn.RUN
        }
        if (!query.isWantedLocked()) {
            if (first) abandon(run, "a paused fetch nobody waits for")
            return Turn.DROP
        }
        run.continueRetries() // wanted: a stop that raced with a new observer or caller no longer holds
        if (state.fetchStatus != FetchStatus.PAUSED) query.setState(state.copy(fetchStatus = FetchStatus.PAUSED))
        return Turn.WAIT
    }

    /** What [turn] decided. */
    enum class Turn { RUN, WAIT, DROP }

    /** Applies [update] while [run] is still the fetch in flight (a failed attempt that will be retried). */
    fun updateWhileRunning(run: FetchRun<T>, update: (QueryState<T>) -> QueryState<T>) = query.locked {
        if (current === run) query.setState(update(query.state))
    }

    /**
     * Applies what [run] read from the L2 tier, unless data arrived meanwhile: fresh data settles
     * [run] (true: the query function is not called); stale or invalidated data becomes the state
     * while [run] goes on to fetch (false); nothing found (false).
     */
    fun applyHydration(run: FetchRun<T>, persisted: Persisted<T>?): Boolean =
        query.locked { applyHydrationLocked(run, persisted) }

    private fun applyHydrationLocked(run: FetchRun<T>, persisted: Persisted<T>?): Boolean {
        if (current !== run) return false
        query.hydrated = true
        val state = query.state
        if (persisted == null || state.hasData) return false
        var next = state.withData(persisted.data, persisted.dataUpdatedAt, state.fetchStatus)
        if (persisted.invalidated) next = next.copy(isInvalidated = true)
        val stale = isStale(next, run.options.staleTimeFor(query.key, next, runtime), runtime.clock.nowMillis())
        host.l2?.countHit(persisted, stale)
        if (!stale) {
            settle(run) { next.copy(fetchStatus = FetchStatus.IDLE) }
            return true
        }
        run.dataWritten() // cancelling the refetch keeps the hydrated data
        query.setState(next)
        return false
    }

    /**
     * Ends [run] with the state [update] makes (and, with [persist], writes it to the L2 tier);
     * false when [run] was abandoned meanwhile.
     */
    fun settle(run: FetchRun<T>, persist: Boolean = false, update: (QueryState<T>) -> QueryState<T>): Boolean =
        query.locked { settleLocked(run, persist, update) }

    private fun settleLocked(run: FetchRun<T>, persist: Boolean, update: (QueryState<T>) -> QueryState<T>): Boolean {
        if (current !== run) return false
        current = null
        val next = update(query.state)
        query.setState(next)
        if (persist) query.persist(next)
        runtime.emit { QueryCacheEvent.FetchSettled(query.key, next, isCancelled = false) }
        query.scheduleGcIfInactive()
        return true
    }
}
