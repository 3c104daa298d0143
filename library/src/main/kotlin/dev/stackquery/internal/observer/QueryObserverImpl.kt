@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.internal.observer

import dev.stackquery.FetchReason
import dev.stackquery.QueryCacheEvent.RemovalCause
import dev.stackquery.QueryClientClosedException
import dev.stackquery.QueryListener
import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import dev.stackquery.QueryStateField
import dev.stackquery.QueryView
import dev.stackquery.RefetchTrigger
import dev.stackquery.Subscription
import dev.stackquery.SwitchableQueryObserver
import dev.stackquery.internal.ResolvedOptions
import dev.stackquery.internal.STATIC_STALE_TIME
import dev.stackquery.internal.client.ClientEngine
import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.saturatedAdd
import dev.stackquery.internal.enabledFor
import dev.stackquery.internal.isStale
import dev.stackquery.internal.query.LookupMode
import dev.stackquery.internal.query.ObserverDemand
import dev.stackquery.internal.query.Query
import dev.stackquery.internal.query.QueryStateObserver
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.ExperimentalForInheritanceCoroutinesApi
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.FlowCollector
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.launch
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.Executor
import java.util.concurrent.atomic.AtomicInteger
import java.util.function.Function

/**
 * The observer behind [dev.stackquery.QueryClient.watch]: its lifecycle. It counts its
 * subscribers (flow collectors and listeners), attaches to its query while it has any (pushing its
 * [ObserverDemand]), and publishes the state [StateDerivation] makes of the query's, to its flow
 * and to its [ListenerSubscription]s, one change at a time.
 *
 * Locks: the observer's [lock] guards attaching and detaching and is taken before the store's
 * lock and the query's monitor; the query calls [onQueryChanged] with no lock held, and the store
 * calls [onQueryRemoved] after releasing its lock.
 */
internal class QueryObserverImpl<Q, T>(
    private val engine: ClientEngine,
    options: QueryOptions<Q>,
    select: ((Q) -> T)?,
    keepPreviousData: Boolean = false,
) : SwitchableQueryObserver<Q, T>, QueryStateObserver {
    private val store = engine.store
    private val runtime = engine.runtime
    private val derivation = StateDerivation<Q, T>(select, keepPreviousData, runtime::logFailure)

    private val lock = Any()

    /** The options given, merged with the client's defaults by prefix when given ([ClientEngine.withDefaults]). */
    @Volatile
    override var options: QueryOptions<Q> = engine.withDefaults(options)
        private set

    private var subscribers = 0 // guarded by lock

    /** The query this observer is attached to, while it has subscribers. */
    @Volatile
    private var bound: Query<Q>? = null

    /** The observer's state, or [Closed] once the client closed. */
    private val flow = MutableStateFlow<Any>(QueryState.idle<T>())
    private val subscriptions = CopyOnWriteArrayList<ListenerSubscription<QueryState<T>>>()
    private val pendingChanges = AtomicInteger()

    /** The last state [publish] sent, numbered so a new subscription can drop older ones queued. */
    @Volatile
    private var latest: Published<QueryState<T>>? = null
    private var version = 0L // written only by publish(), which runs one at a time

    /** The query this observer first attached to and its update counts then, for `isFetchedAfterMount`. */
    @Volatile
    private var mount: Mount? = null

    private class Mount(val query: Query<*>, val dataUpdateCount: Int, val errorUpdateCount: Int)

    /**
     * The last state [publish] derived, before `notifyOnChange` decided whether to publish it,
     * and (written before it) the flags to stamp on it: for [refetch], which returns the whole state.
     */
    private var made: QueryState<T>? = null // plain: written by publish() only when it changes; immutable
    private var madeStale = false
    private var madeFetchedAfterMount = false

    /** Republishes when the shown data turns stale; [staleDeadline] is the clock time it is set for. */
    @Volatile
    private var staleTimer: Job? = null
    private var staleDeadline = Long.MIN_VALUE // touched by publish(), and by detach() under lock

    private class Closed(val last: QueryState<*>)

    @OptIn(ExperimentalForInheritanceCoroutinesApi::class)
    override val state: StateFlow<QueryState<T>> = object : StateFlow<QueryState<T>> {
        override val value: QueryState<T> get() = currentState()
        override val replayCache: List<QueryState<T>> get() = listOf(value)

        override suspend fun collect(collector: FlowCollector<QueryState<T>>): Nothing {
            acquire()
            try {
                flow.collect { value ->
                    if (value is Closed) throw CancellationException("the QueryClient was closed")
                    @Suppress("UNCHECKED_CAST") // the flow holds QueryState<T> values or Closed
                    collector.emit(value as QueryState<T>)
                }
            } finally {
                release()
            }
        }
    }

    override val current: QueryState<T> get() = currentState()

    override fun subscribe(listener: QueryListener<T>): Subscription =
        subscribe(listener, runtime.dispatchExecutor, firstHere = true)

    override fun subscribe(listener: QueryListener<T>, executor: Executor): Subscription =
        subscribe(listener, executor, firstHere = false)

    private fun subscribe(listener: QueryListener<T>, executor: Executor, firstHere: Boolean): Subscription {
        val subscription = ListenerSubscription<QueryState<T>>(
            listener::onState,
            executor,
            onFailure = { runtime.logFailure("a listener of ${options.queryKey}", it) },
            onUnsubscribe = {
                subscriptions.remove(it)
                release()
            },
        )
        if (flow.value is Closed) { // a closed client: the last state, then nothing
            subscription.end()
            subscription.start(firstHere) { Published(currentState(), 0) }
            return subscription
        }
        subscriptions += subscription
        acquire()
        try {
            subscription.start(firstHere) { latest ?: Published(currentState(), 0) }
        } catch (e: Throwable) {
            subscription.unsubscribe() // the first delivery threw an Error: do not leave the query active
            throw e
        }
        return subscription
    }

    override suspend fun refetch(): QueryState<T> {
        val current = options
        val resolved = ResolvedOptions.resolve(current, runtime.config)
        while (true) {
            val query = store.getOrCreate(current.queryKey, current)
            val fetched = query.waitingFor {
                val fetch = query.fetch(resolved, FetchReason.OBSERVER_REFETCH)
                fetch?.join()
                fetch != null
            }
            if (!fetched) continue
            // The whole state, even the parts `notifyOnChange` does not publish (a failure, say).
            val shown = made
            if (bound == null || shown == null) return currentState()
            return shown.flagged(madeStale, madeFetchedAfterMount)
        }
    }

    override fun setOptions(options: QueryOptions<Q>, select: Function<Q, T>) {
        derivation.select = select::apply
        setOptions(options)
    }

    override fun setOptions(options: QueryOptions<Q>) {
        val given = options
        val attached = synchronized(lock) {
            val options = engine.withDefaults(given)
            val old = this.options
            val keyChanged = options.queryKey != old.queryKey
            if (keyChanged) derivation.keyChanging(currentState(), previousQuery(old))
            this.options = options
            val query = bound
            when {
                query == null -> {
                    refresh()
                    null
                }
                keyChanged -> {
                    detach()
                    attach()
                }
                else -> {
                    val resolved = ResolvedOptions.resolve(options, runtime.config)
                    query.updateDemand(this, ObserverDemand(resolved))
                    val state = query.state
                    val enabled = options.enabledFor(query.key, state, runtime)
                    Attached(query, resolved, fetch = enabled && !old.enabledFor(query.key, state, runtime))
                }
            }
        }
        attached?.let(::afterAttach)
    }

    override fun onQueryChanged() {
        if (pendingChanges.getAndIncrement() != 0) return // the thread draining will publish it
        var missed = 1
        try {
            while (true) {
                publish()
                missed = pendingChanges.addAndGet(-missed)
                if (missed == 0) return
            }
        } catch (e: Throwable) {
            pendingChanges.set(0) // an Error escaped: the next change must still be published
            throw e
        }
    }

    override fun onQueryRemoved(query: Query<*>, cause: RemovalCause) {
        if (cause == RemovalCause.CLOSED) markClosed() else reattach(query)
    }

    private fun acquire() {
        val attached = synchronized(lock) { if (subscribers++ == 0) attach() else null }
        attached?.let(::afterAttach)
    }

    private fun release() = synchronized(lock) {
        if (--subscribers == 0) detach()
    }

    /** A query just attached to, and whether [afterAttach] should fetch it. */
    private class Attached<Q>(val query: Query<Q>, val resolved: ResolvedOptions<Q>, val fetch: Boolean)

    /**
     * Under [lock]: attaches to the query of [options], creating it if needed. The caller then
     * runs [afterAttach] with the result, outside the lock (it may run listeners).
     */
    private fun attach(): Attached<Q>? {
        if (flow.value is Closed) return null
        val current = options
        val resolved = ResolvedOptions.resolve(current, runtime.config)
        val demand = ObserverDemand(resolved)
        while (true) {
            val query = try {
                store.getOrCreate(current.queryKey, current)
            } catch (e: QueryClientClosedException) {
                markClosed()
                return null
            }
            bound = query
            if (!query.addObserver(this, demand, notify = false)) continue // removed meanwhile: look the key up again
            if (mount?.query !== query) {
                val state = query.state
                mount = Mount(query, state.dataUpdateCount, state.errorUpdateCount)
            }
            return Attached(query, resolved, fetch = current.enabledFor(query.key, query.state, runtime))
        }
    }

    /** Fetches as [QueryOptions.refetchOnSubscribe] says, then publishes (no IDLE flicker before PENDING). */
    private fun afterAttach(attached: Attached<Q>) {
        attached.query.fillInitialData(attached.resolved.options)
        if (attached.fetch) fetchOnAttach(attached.query, attached.resolved)
        onQueryChanged()
    }

    /** Under [lock]: detaches from the query; its gc timer starts if nothing else uses it. */
    private fun detach() {
        bound?.removeObserver(this)
        bound = null
        staleTimer?.cancel()
        staleTimer = null
        staleDeadline = Long.MIN_VALUE
    }

    private fun fetchOnAttach(query: Query<Q>, resolved: ResolvedOptions<Q>) {
        try {
            when (resolved.options.refetchOnSubscribe) {
                // A static stale time wins over ALWAYS once there is data (TanStack's shouldFetchOn).
                RefetchTrigger.ALWAYS -> if (!isStaticWithData(query, resolved)) {
                    query.fetch(resolved, FetchReason.OBSERVER_ATTACHED)
                }
                RefetchTrigger.IF_STALE ->
                    query.lookup(resolved, LookupMode.PREFETCH, FetchReason.OBSERVER_ATTACHED, waits = false)
                RefetchTrigger.NEVER -> {}
            }
        } catch (e: QueryClientClosedException) {
            markClosed()
        }
    }

    private fun isStaticWithData(query: Query<Q>, resolved: ResolvedOptions<Q>): Boolean {
        val state = query.state
        return state.hasData && resolved.staleTimeFor(query.key, state, runtime) == STATIC_STALE_TIME
    }

    private fun reattach(removed: Query<*>) {
        val attached = synchronized(lock) {
            if (bound !== removed) return
            bound = null
            if (subscribers > 0) attach() else null
        }
        attached?.let(::afterAttach)
    }

    /** The attached query's state as this observer shows it, published to the flow and listeners. */
    private fun publish() {
        val query = bound ?: return
        val options = options
        if (query.key != options.queryKey) return // switching keys: the old query no longer counts
        val raw = query.state
        val enabled = options.enabledFor(query.key, raw, runtime)
        val derived = derivation.derive(raw, options, enabled)
        val stale = staleFor(raw, options, enabled)
        val fetchedAfterMount = isFetchedAfterMount(raw, query)
        // Written only when they change: publish() visits every observer on every change of its query.
        if (madeStale != stale) madeStale = stale
        if (madeFetchedAfterMount != fetchedAfterMount) madeFetchedAfterMount = fetchedAfterMount
        if (made !== derived) made = derived
        val tracked = options.trackedFields
        if (tracked?.contains(QueryStateField.STALE) != false && enabled) watchStaleness(query, raw, options)
        if (tracked != null) { // compare before stamping the flags: an unchanged state costs no copy
            val previous = flow.value
            if (previous is QueryState<*> && tracked.none { it.changed(previous, derived, stale, fetchedAfterMount) }) {
                return
            }
        }
        val next = derived.flagged(stale, fetchedAfterMount)
        while (true) {
            val previous = flow.value
            if (previous is Closed) return
            if (tracked == null && previous == next) return
            if (flow.compareAndSet(previous, next)) break
        }
        val published = Published(next, ++version)
        latest = published
        for (subscription in subscriptions) subscription.offer(published)
    }

    /**
     * [raw] as this observer shows it: derived, with its own staleness (as TanStack's: a disabled
     * observer's data is never stale) and `isFetchedAfterMount` (counts lower than at mount mean
     * the query was reset since: they count from there).
     */
    private fun show(raw: QueryState<Q>, query: Query<Q>?, options: QueryOptions<Q>): QueryState<T> {
        val enabled = options.enabledFor(options.queryKey, raw, runtime)
        return derivation.derive(raw, options, enabled)
            .flagged(staleFor(raw, options, enabled), isFetchedAfterMount(raw, query))
    }

    private fun staleFor(raw: QueryState<Q>, options: QueryOptions<Q>, enabled: Boolean): Boolean {
        if (!enabled) return false
        val staleTime = ResolvedOptions.staleTimeMillis(options, runtime.config, options.queryKey, raw, runtime)
        if (raw.hasData && (staleTime == STATIC_STALE_TIME || (staleTime == Long.MAX_VALUE && !raw.isInvalidated))) {
            return false // no clock read
        }
        return isStale(raw, staleTime, runtime.clock.nowMillis())
    }

    /** A snapshot of the query [old] options name, for a placeholder function; `null` without data. */
    private fun previousQuery(old: QueryOptions<Q>): QueryView<Q>? {
        val query = bound?.takeIf { it.key == old.queryKey } ?: store.get<Q>(old.queryKey) ?: return null
        val state = query.state
        return if (state.hasData) QueryView(query.key, state) else null
    }

    private fun isFetchedAfterMount(raw: QueryState<Q>, query: Query<Q>?): Boolean {
        var mounted = mount
        if (mounted != null && mounted.query === query &&
            (raw.dataUpdateCount < mounted.dataUpdateCount || raw.errorUpdateCount < mounted.errorUpdateCount)
        ) {
            mounted = Mount(query, 0, 0)
            mount = mounted
        }
        return query != null && mounted?.query === query &&
            (raw.dataUpdateCount > mounted.dataUpdateCount || raw.errorUpdateCount > mounted.errorUpdateCount)
    }

    /** From publish(): sets a timer that republishes when [raw]'s data turns stale (once per deadline). */
    private fun watchStaleness(query: Query<Q>, raw: QueryState<Q>, options: QueryOptions<Q>) {
        if (!raw.hasData || raw.isInvalidated) return
        val staleTime = ResolvedOptions.staleTimeMillis(options, runtime.config, query.key, raw, runtime)
        if (staleTime == Long.MAX_VALUE || staleTime == STATIC_STALE_TIME) return
        val deadline = saturatedAdd(raw.dataUpdatedAt, staleTime)
        val now = runtime.clock.nowMillis()
        if (deadline <= now || deadline == staleDeadline) return
        synchronized(lock) {
            if (bound !== query) return@synchronized
            staleDeadline = deadline
            staleTimer?.cancel()
            staleTimer = runtime.scope.launch {
                // The timer runs on the dispatcher's time, staleness on the client's clock: while
                // that clock moves but lags behind the deadline, wait for it (a clock that does
                // not move at all, a test's fixed clock, is not waited for).
                var before = now
                while (true) {
                    delay(deadline - before)
                    val after = runtime.clock.nowMillis()
                    if (after >= deadline || after <= before) break
                    before = after
                }
                onQueryChanged()
            }
        }
    }

    @Suppress("UNCHECKED_CAST") // as above: every value but Closed is a QueryState<T>
    private fun currentState(): QueryState<T> {
        val value = flow.value
        if (value is Closed) return value.last as QueryState<T>
        if (bound != null) return value as QueryState<T>
        return synchronized(lock) {
            if (bound == null) refresh()
            val refreshed = flow.value
            (if (refreshed is Closed) refreshed.last else refreshed) as QueryState<T>
        }
    }

    /** Under [lock], while detached: recomputes the state from the cache. */
    private fun refresh() {
        val previous = flow.value
        if (previous is Closed) return
        val query = store.get<Q>(options.queryKey)
        flow.compareAndSet(previous, show(query?.state ?: QueryState.idle(), query, options))
    }

    private fun markClosed() {
        while (true) {
            val previous = flow.value
            if (previous is Closed) break
            if (flow.compareAndSet(previous, Closed(previous as QueryState<*>))) break
        }
        for (subscription in subscriptions) subscription.end()
        subscriptions.clear()
    }
}

/** A state an observer published, and its place in the observer's sequence of states. */
internal class Published<T>(val state: T, val version: Long)
