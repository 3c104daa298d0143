package dev.stackquery.internal.query

import dev.stackquery.FetchReason
import dev.stackquery.QueryCacheEvent
import dev.stackquery.QueryClientClosedException
import dev.stackquery.QueryDefaults
import dev.stackquery.QueryKey
import dev.stackquery.QueryOptions
import dev.stackquery.QuerySnapshot
import dev.stackquery.QueryState
import dev.stackquery.StructuralSharing
import dev.stackquery.internal.NoChange
import dev.stackquery.internal.ResolvedOptions
import dev.stackquery.internal.declinable
import dev.stackquery.internal.durationMillis
import dev.stackquery.internal.enabledFor
import dev.stackquery.internal.isStale
import dev.stackquery.internal.persistence.Persisted
import dev.stackquery.internal.staleTimeOf
import kotlinx.coroutines.Deferred
import java.util.concurrent.atomic.AtomicInteger

/**
 * One cached query: the state machine of its [QueryState], its single in-flight fetch, its
 * observers' demands and its gc bookkeeping.
 *
 * **States.** `status` × `fetchStatus`, with the data kept across them:
 * - `IDLE/IDLE` (new, or reset without initial data) –[fetch]→ `PENDING/FETCHING`.
 * - with data (`SUCCESS`, or `ERROR` after a later failure) –[fetch]→ same status, `FETCHING`.
 * - `FETCHING` –retry→ `FETCHING` with `failureCount`/`failureReason` –settle→ `SUCCESS/IDLE`
 *   (data, invalidated if [invalidate]d meanwhile) or `ERROR/IDLE` (error kept, data kept).
 * - `FETCHING` –[cancel], [reset], removal, a refetch that cancels→ the state before the fetch
 *   with `IDLE` ([abandon]; data written meanwhile by [updateData] and the invalidation flag kept).
 * - any –[updateData] / [applyPersisted]→ `SUCCESS` with the new data, error cleared, fetch status
 *   kept; –[invalidate]→ the same with `isInvalidated`; –[reset]→ the given initial state.
 * - removal ([onRemoved]) is final: a removed query never fetches, schedules gc or notifies again.
 *
 * Every change happens under this object's monitor and replaces [state] with a new immutable
 * value, so readers never lock. At most one fetch runs at a time: callers that ask while one is in
 * flight join it, and a fetch started while a cancelled one of the same key is still finishing
 * waits for it ([FetchRun]). Fetches run in the client's scope, so a caller's cancellation only
 * detaches that caller. No user code runs under the monitor: [updateData] runs its updater outside
 * it (compare-and-set), and observers are told after it is released ([locked]).
 *
 * Lock order: the store's lock, then a query's monitor, then the gc scheduler's lock.
 */
internal class Query<T>(
    val key: QueryKey,
    private val host: QueryHost,
    initial: QueryState<T>,
    /** Creation order, the tie-breaker for least-recently-used eviction. */
    val sequence: Long,
    /** The options it was created with, the first [resolved]; `null` for a query made by `setQueryData`. */
    options: ResolvedOptions<T>?,
    /**
     * The client's defaults for [key]'s prefixes when the query was made by `setQueryData` (no
     * options): its stale and gc times until options arrive.
     */
    private val fallback: QueryDefaults? = null,
) {
    private val runtime = host.runtime

    /** The current state; replaced (never mutated) under the monitor, read without it. */
    @Volatile
    var state: QueryState<T> = initial
        private set

    /**
     * The latest options a fetch or an observer's demand gave; `null` for a query made by
     * `setQueryData`. Set under the monitor (or before the query is visible); each value also
     * raises [longestGcTimeMillis].
     */
    @Volatile
    var resolved: ResolvedOptions<T>? = null
        set(value) {
            field = value
            if (value != null && value.gcTimeMillis > longestGcTimeMillis) longestGcTimeMillis = value.gcTimeMillis
        }

    /**
     * The longest gc time any options given to this query asked for, or -1 before any: as
     * TanStack's, a short gc time of one observer never cuts short the long one of a fetch.
     */
    @Volatile
    private var longestGcTimeMillis = -1L

    init {
        resolved = options
        state = initial.flagged(stale = isStale(initial, staleTimeFor(initial), runtime.clock.nowMillis()))
    }

    /** The fresh-hit path used options asking for [gcTimeMillis] (-1: the client's): raise [longestGcTimeMillis] to it. */
    fun noteGcTime(gcTimeMillis: Long) {
        if (gcTimeMillis > longestGcTimeMillis) {
            synchronized(this) { if (gcTimeMillis > longestGcTimeMillis) longestGcTimeMillis = gcTimeMillis }
        }
    }

    /** Why the latest fetch started, or `null` before any; written under the monitor. */
    @Volatile
    var lastFetchReason: FetchReason? = null

    /** The page direction of the latest fetch (`null`: a refetch of every page, or not an infinite query). */
    @Volatile
    var lastDirection: PageDirection? = null

    /** Last access time (clock ms); written only when it changes, read racily by the evictor. */
    @JvmField
    var lastAccess: Long = 0

    /** The gc deadline this query is (or was last) scheduled for, or [NO_DEADLINE]. See the gc scheduler. */
    @Volatile
    @JvmField
    var gcDeadline: Long = NO_DEADLINE

    /** This query's position in the gc heap, or -1; guarded by the gc scheduler's lock. */
    @JvmField
    var gcHeapIndex: Int = -1

    /** Set once the query has left the cache. */
    @Volatile
    var isRemoved: Boolean = false
        private set

    /**
     * [state], or `null` once the query has left the cache. Removal sets [isRemoved] before it
     * reverts the fetch in flight, so a reader that found this query just before its removal
     * never returns the reverted state, which the key never showed.
     */
    val cachedState: QueryState<T>?
        get() {
            val current = state
            return if (isRemoved) null else current
        }

    /** The fetch in flight and its transitions; guarded by this. */
    internal val fetches = FetchSlot(this, host)
    private val observers = QueryObservers() // guarded by this

    /** Set once the L2 tier was read for this query (or it had data of its own): it is never read again. */
    internal var hydrated = false // guarded by this

    private val poller = Poller(runtime.scope) { pollTick() } // guarded by this

    /** Callers waiting for this query's fetch ([waitingFor]): while any waits, the fetch retries. */
    private val waiters = AtomicInteger()

    /** A query is active while observed. */
    val isActive: Boolean get() = synchronized(this) { !observers.isEmpty() }

    /** Inactive: no observer and no fetch in flight. Only inactive queries are collected or evicted. */
    val isInactive: Boolean get() = synchronized(this) { isIdleLocked() }

    private fun isIdleLocked(): Boolean = observers.isEmpty() && fetches.current == null

    /** Under the monitor: whether anyone wants a fetch's result (an observer, or a caller waiting for it). */
    internal fun isWantedLocked(): Boolean = !observers.isEmpty() || waiters.get() > 0

    /** How many observers are attached. */
    val observerCount: Int get() = synchronized(this) { observers.size }

    /** Tells the observers about the current state; no-op under the monitor (the outermost [locked] does it). */
    fun notifyObservers() {
        val snapshot = observers.snapshot
        if (snapshot.isEmpty() || isRemoved || Thread.holdsLock(this)) return
        for (observer in snapshot) observer.onQueryChanged()
    }

    fun touch(now: Long) {
        if (lastAccess != now) lastAccess = now
    }

    /**
     * Fetches again with the latest options if the query has a query function, is enabled (by any
     * attached observer, or by its latest options when it has none) and is not static (no attached
     * observer asks for [dev.stackquery.StaleTime.STATIC], TanStack's `isStatic`); `null` when it
     * has no function (made by `setQueryData`), is disabled or static, or has left the cache.
     */
    fun refetch(cancelInFlight: Boolean, reason: FetchReason): Deferred<T>? {
        val options = resolved ?: return null
        val wanted = synchronized(this) { wantsRefetchLocked(options) }
        return if (wanted) fetch(options, reason, cancelInFlight) else null
    }

    private fun wantsRefetchLocked(options: ResolvedOptions<T>): Boolean =
        enabledLocked(options.options) && (observers.isEmpty() || !observers.anyStatic(key, state, runtime))

    /** Under the monitor: enabled by an attached observer, or, with none, by its latest [options] (none: false). */
    private fun enabledLocked(options: QueryOptions<T>?): Boolean = if (observers.isEmpty()) {
        options?.enabledFor(key, state, runtime) == true
    } else {
        observers.anyEnabled(key, state, runtime)
    }

    /**
     * Starts a fetch with [options] (loading the page [direction] names, for an infinite query),
     * or joins the one in flight (see [FetchSlot.start]); `null` when the query has left the cache.
     *
     * @throws QueryClientClosedException when the client is closed.
     */
    fun fetch(
        options: ResolvedOptions<T>,
        reason: FetchReason,
        cancelInFlight: Boolean = false,
        direction: PageDirection? = null,
    ): Deferred<T>? = fetches.start(options, cancelInFlight, reason, direction)

    /**
     * Cancels the fetch in flight, if any, reverting the state (or, without [revert], settling it in
     * ERROR with the cancellation); waits until it has stopped.
     */
    suspend fun cancel(reason: String, revert: Boolean = true): Unit = fetches.cancel(reason, revert)

    /**
     * Reads the data or fetches, as [mode] says (see [FetchSlot.lookup]); a caller that will not
     * wait for the fetch passes [waits] false (it is then not counted as a waiter), one already
     * counted passes [counted].
     */
    fun lookup(
        options: ResolvedOptions<T>,
        mode: LookupMode,
        reason: FetchReason,
        awaited: Deferred<*>? = null,
        waits: Boolean = true,
        counted: Boolean = false,
    ): LookupResult<T> = fetches.lookup(options, mode, awaited, waits, reason, counted)

    /**
     * Marks the query invalidated (and, with [persist], writes the flag to the L2 tier; with
     * [rewrite], writes it even if the query was invalidated already, its entry having just been
     * deleted); a fetch in flight then settles still invalidated.
     */
    fun invalidate(persist: Boolean = true, rewrite: Boolean = false) = locked {
        // Found by a filter just before it was removed: its entry may be deleted already, never write it back.
        if (isRemoved) return@locked
        fetches.current?.invalidated = true
        if (!state.isInvalidated) {
            val next = state.copy(isInvalidated = true)
            setState(next)
            if (persist) persist(next)
        } else if (persist && rewrite) {
            persist(state)
        }
    }

    /**
     * Takes [persisted], data another instance set, unless this query's data is newer. Neither
     * persisted nor published (the origin did both).
     */
    fun applyPersisted(persisted: Persisted<T>) {
        val data = share(state, persisted.data, resolved?.options)
        locked {
            if (isRemoved) return@locked
            val current = state
            if (current.hasData && current.dataUpdatedAt > persisted.dataUpdatedAt) return@locked
            fetches.current?.dataWritten()
            hydrated = true
            val next = current.withData(data, persisted.dataUpdatedAt)
            setState(if (persisted.invalidated) next.copy(isInvalidated = true) else next)
        }
    }

    /**
     * [data] structurally shared with [current]'s data as [options] say (the default sharing
     * without options). Called outside the monitor: it runs `equals` and a custom function, user
     * code. A sharing function that throws is logged and [data] kept as it came.
     */
    fun share(current: QueryState<T>, data: T, options: QueryOptions<T>?): T {
        if (!current.hasData) return data
        @Suppress("UNCHECKED_CAST") // hasData: data is a T, even when T is nullable
        val old = current.data as T
        return try {
            if (options == null) StructuralSharing.replaceEqualDeep(old, data) else options.share(old, data)
        } catch (e: Exception) {
            runtime.logFailure("the structural sharing of $key", e)
            data
        }
    }

    /**
     * Writes `updater(current data or null)` as SUCCESS (clearing error and invalidation), keeping
     * the fetch status. [updater] runs outside the monitor; if the state changed meanwhile it runs
     * again on the new state (compare-and-set). The data is written at [updatedAt], or now.
     * Returns the new data; the data held, unchanged, when [updater] returns [NoChange]; or `null`
     * (and writes nothing) when the query has left the cache.
     */
    fun updateData(updater: (T?) -> T, updatedAt: Long? = null): Written<T>? {
        while (true) {
            val current = state
            if (isRemoved) return null
            val currentData = if (current.hasData) current.data else null
            val update = declinable(updater, currentData)
            @Suppress("UNCHECKED_CAST") // the data it holds: a T (null without data, as the caller is told)
            if (update === NoChange) return if (isRemoved) null else Written(currentData as T, changed = false)
            @Suppress("UNCHECKED_CAST") // not NoChange: the updater's T
            val data = share(current, update as T, resolved?.options)
            // No return from inside the block: see FetchSlot.begin.
            val written =
                synchronized(this) { if (isRemoved) null else writeIfUnchanged(current, data, updatedAt) }
                    ?: return null
            if (written) {
                notifyObservers()
                return Written(data, changed = true)
            }
        }
    }

    /** Under the monitor: writes [data] unless the state is no longer [expected]; true if written. */
    private fun writeIfUnchanged(expected: QueryState<T>, data: T, updatedAt: Long?): Boolean {
        if (state !== expected) return false
        fetches.current?.dataWritten()
        val next = expected.withData(data, updatedAt ?: runtime.clock.nowMillis())
        setState(next)
        hydrated = true
        persist(next)
        return true
    }

    /**
     * An observer with [options] attached: a query without data takes their initial data, as if
     * it had been created with it (not counted as a data update, not persisted).
     */
    fun fillInitialData(options: QueryOptions<T>) {
        val initial = options.initialData ?: return
        if (state.hasData) return
        locked {
            if (!isRemoved && !state.hasData) {
                fetches.current?.dataWritten()
                val updatedAt = options.initialDataUpdatedAt ?: runtime.clock.nowMillis()
                setState(state.withData(initial, updatedAt, counted = false))
            }
        }
    }

    /** Replaces the state with [initial], cancelling any fetch in flight. */
    fun reset(initial: QueryState<T>) = locked {
        val run = fetches.current
        if (run != null) fetches.abandon(run, "query reset", replacement = initial) else setState(initial)
    }

    /**
     * A caller is about to wait for this query's fetch (the one in flight or the one it starts
     * next): while any caller waits, the fetch retries as its policy says even with no observer.
     * Each call is matched by one [removeWaiter] once the caller stops waiting.
     */
    fun addWaiter(): Unit = synchronized(this) {
        waiters.incrementAndGet()
        fetches.current?.continueRetries()
    }

    /** A caller counted by [addWaiter] stopped waiting; the last one leaving a query nobody observes stops its retries. */
    fun removeWaiter() {
        if (waiters.decrementAndGet() == 0) synchronized(this) { stopRetriesIfUnwanted() }
    }

    /** Runs [wait], a caller's wait for this query's fetch, counted ([addWaiter]). */
    suspend fun <R> waitingFor(wait: suspend () -> R): R {
        addWaiter()
        try {
            return wait()
        } finally {
            removeWaiter()
        }
    }

    /**
     * Under the monitor: with no observer and no caller waiting, the fetch in flight makes no
     * further attempt (it settles with the outcome of the current one, at once if it is waiting
     * between attempts); an observer attaching or a caller joining lets it go on retrying.
     */
    private fun stopRetriesIfUnwanted() {
        if (observers.isEmpty() && waiters.get() == 0) fetches.current?.stopRetries()
    }

    /**
     * Attaches [observer] with its [demand]: the query becomes active (its gc timer stops), polls
     * as its observers ask, and (unless [notify] is false) the observers are told the current
     * state. False (and nothing attached) when the query has left the cache.
     */
    fun addObserver(observer: QueryStateObserver, demand: ObserverDemand<T>, notify: Boolean = true): Boolean {
        val added = synchronized(this) {
            if (!isRemoved) {
                val new = observers.put(observer, demand)
                demand.options?.let { resolved = it }
                fetches.current?.continueRetries()
                host.gc.cancel(this)
                updatePolling()
                val count = observers.size
                if (new) runtime.emit { QueryCacheEvent.ObserverAdded(key, count) }
            }
            !isRemoved
        }
        if (added && notify) notifyObservers()
        return added
    }

    /** Replaces the demand of [observer], which is attached; polling follows. */
    fun updateDemand(observer: QueryStateObserver, demand: ObserverDemand<T>): Unit = synchronized(this) {
        if (observer in observers) {
            observers.put(observer, demand)
            demand.options?.let { resolved = it }
            updatePolling()
        }
    }

    /** Detaches [observer]; the last one leaving starts the gc timer. */
    fun removeObserver(observer: QueryStateObserver): Unit = synchronized(this) {
        if (observers.remove(observer)) {
            val count = observers.size
            runtime.emit { QueryCacheEvent.ObserverRemoved(key, count) }
            updatePolling()
            stopRetriesIfUnwanted()
            scheduleGcIfInactive()
        }
    }

    /**
     * Under the monitor: polls at the shortest period the observers ask for (while unfocused, the
     * ones that poll in the background); none once removed.
     */
    private fun updatePolling() {
        val focused = runtime.conditions.now.focused
        poller.update(if (isRemoved) 0 else observers.pollIntervalMillis(key, state, runtime, focused))
    }

    /** The application gained or lost focus: polling follows ([updatePolling]). */
    fun onFocusChanged(): Unit = synchronized(this) { updatePolling() }

    /**
     * Focus came back or the network did ([reason] `FOCUS` or `RECONNECT`): refetches, joining a
     * fetch in flight, with the options of the first enabled observer whose trigger asks for it.
     */
    fun refetchOn(reason: FetchReason) {
        val options = synchronized(this) { if (isRemoved) null else observers.triggered(reason, key, state, runtime) }
        try {
            if (options != null) fetch(options, reason)
        } catch (e: QueryClientClosedException) {
            // closing: nothing to refetch
        }
    }

    /** A poll: starts a fetch with the latest options, or joins the one in flight, without waiting for it. */
    private fun pollTick(): Boolean {
        val options = resolved ?: return true
        return try {
            fetch(options, FetchReason.POLL)
            true
        } catch (e: QueryClientClosedException) {
            false
        }
    }

    /**
     * Called by the store, under its lock, once the query left it: cancels the fetch in flight,
     * polling and the gc timer. Returns the observers, which the store tells once its lock is
     * released.
     */
    fun onRemoved(): Array<QueryStateObserver> = synchronized(this) {
        isRemoved = true
        fetches.current?.let { fetches.abandon(it, "query removed") }
        poller.stop()
        host.gc.cancel(this)
        observers.snapshot
    }

    /**
     * Starts the gc timer of an inactive query that has none. New queries start without a timer
     * (so a fetch that follows at once is not raced by it); the operation that created one calls
     * this when it did not start a fetch or add an observer.
     */
    fun ensureGcScheduled() = synchronized(this) {
        if (gcHeapIndex < 0 && isIdleLocked() && !isRemoved) host.gc.schedule(this, gcTimeMillis())
    }

    /** Under the monitor, after a fetch ended or an observer left: an inactive query starts its gc timer. */
    internal fun scheduleGcIfInactive() {
        if (isIdleLocked() && !isRemoved) {
            host.gc.schedule(this, gcTimeMillis())
            host.onBecameInactive(this)
        }
    }

    private fun gcTimeMillis(): Long = when {
        longestGcTimeMillis >= 0 -> longestGcTimeMillis
        fallback?.gcTime != null -> durationMillis(fallback.gcTime, "gcTime")
        else -> runtime.config.gcTimeMillis
    }

    /** Under the monitor: the one place the state changes (its [QueryState.isStale] made right for now). */
    internal fun setState(next: QueryState<T>) {
        val stamped = next.flagged(stale = isStale(next, staleTimeFor(next), runtime.clock.nowMillis()))
        state = stamped
        runtime.emit { QueryCacheEvent.Updated(key, stamped) }
        // Function forms of enabled / refetchInterval: re-evaluated after every change, as TanStack's observers do.
        if (observers.anyDynamic) updatePolling()
    }

    /** A [QuerySnapshot] of this query now, or `null` once it has left the cache (unless [evenIfRemoved]). */
    fun snapshot(evenIfRemoved: Boolean = false): QuerySnapshot? = synchronized(this) {
        if (isRemoved && !evenIfRemoved) return@synchronized null
        val current = staleAsOfNow(state)
        val options = resolved?.options
        QuerySnapshot(
            queryKey = key,
            state = current,
            observerCount = observers.size,
            hasQueryFunction = options != null,
            enabled = enabledLocked(options),
            staleTime = staleTimeOf(staleTimeFor(state)),
            gcTimeMillis = gcTimeMillis(),
            gcDeadline = gcDeadline.takeIf { it != NO_DEADLINE && isIdleLocked() },
            isPersisted = options?.codec != null,
            meta = options?.meta ?: emptyMap(),
            lastFetchReason = lastFetchReason,
            lastAccessedAt = lastAccess,
        )
    }

    /** The data as the codec of the latest options encodes it; `null` without data or without a codec. */
    fun dataJson(): String? {
        val codec = resolved?.options?.codec ?: return null
        val current = state
        @Suppress("UNCHECKED_CAST") // hasData: data is a T (possibly a null T)
        return if (current.hasData) codec.encode(current.data as T) else null
    }

    /**
     * The stale time of the query's latest options for [state] (a stale-time function answers for
     * it), or, for a query made by `setQueryData`, its defaults' or the client's.
     */
    fun staleTimeFor(state: QueryState<T>): Long =
        resolved?.staleTimeFor(key, state, runtime) ?: fallback?.staleTime?.millis ?: runtime.config.staleTimeMillis

    /** [state] (or `null` once removed) with [QueryState.isStale] as of now, as `getQueryState` returns it. */
    fun currentState(): QueryState<T>? = cachedState?.let(::staleAsOfNow)

    private fun staleAsOfNow(state: QueryState<T>): QueryState<T> =
        state.flagged(stale = isStale(state, staleTimeFor(state), runtime.clock.nowMillis()))

    /** Under the monitor: hands [snapshot] to the L2 tier's write policy. */
    internal fun persist(snapshot: QueryState<T>) {
        host.l2?.persist(key, resolved, snapshot)
    }

    companion object {
        const val NO_DEADLINE: Long = Long.MIN_VALUE
    }
}

/**
 * Runs [block] under the query's monitor, then tells its observers about the resulting state,
 * outside the monitor (so no observer or collector code runs under it). Nested calls notify once,
 * when the outermost releases the monitor.
 */
internal inline fun <R> Query<*>.locked(block: () -> R): R = try {
    synchronized(this, block)
} finally {
    notifyObservers() // also after a non-local return from block
}
