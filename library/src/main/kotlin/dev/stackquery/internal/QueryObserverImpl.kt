package dev.stackquery.internal

import dev.stackquery.QueryCacheEvent.RemovalCause
import dev.stackquery.QueryClientClosedException
import dev.stackquery.QueryListener
import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import dev.stackquery.QueryStatus
import dev.stackquery.RefetchOnSubscribe
import dev.stackquery.Subscription
import dev.stackquery.SwitchableQueryObserver
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.ExperimentalForInheritanceCoroutinesApi
import kotlinx.coroutines.flow.FlowCollector
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.Executor
import java.util.concurrent.atomic.AtomicInteger

/**
 * The observer behind [dev.stackquery.QueryClient.watch]: counts its subscribers, attaches to its
 * query while it has any, and turns the query's states into its own (select, placeholder).
 *
 * Locks: the observer's [lock] guards attaching and detaching and is taken before the cache's
 * lock and the query's monitor; the query calls [onQueryChanged] with no lock held, and
 * [onQueryRemoved] under its locks (it only schedules work).
 */
internal class QueryObserverImpl<Q, T>(
    private val cache: QueryCache,
    options: QueryOptions<Q>,
    private val select: ((Q) -> T)?,
) : SwitchableQueryObserver<Q, T>, QueryStateObserver {
    private val lock = Any()

    @Volatile
    override var options: QueryOptions<Q> = options
        private set

    private var subscribers = 0 // guarded by lock

    /** The query this observer is attached to, while it has subscribers. */
    @Volatile
    private var bound: Query<Q>? = null

    /** The observer's state, or [Closed] once the client closed. */
    private val flow = MutableStateFlow<Any>(QueryState.idle<T>())
    private val subscriptions = CopyOnWriteArrayList<ListenerSubscription<T>>()
    private val pendingChanges = AtomicInteger()

    /** The last state [publish] sent, numbered so a new subscription can drop older ones queued. */
    @Volatile
    private var latest: Published<T>? = null
    private var version = 0L // written only by publish(), which runs one at a time

    // Select memo and kept data: written by publish() (serialized by pendingChanges) while
    // attached, and under lock while detached.
    private var memoRaw: Any? = NONE
    private var memoSelected: Any? = NONE

    @Volatile
    private var previousData: Any? = NONE

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
                    @Suppress("UNCHECKED_CAST")
                    collector.emit(value as QueryState<T>)
                }
            } finally {
                release()
            }
        }
    }

    override val current: QueryState<T> get() = currentState()

    override val isEnabled: Boolean get() = options.enabled

    override val pollIntervalMillis: Long
        get() {
            val current = options
            if (!current.enabled) return 0
            return current.refetchInterval?.inWholeMilliseconds?.coerceAtLeast(1) ?: 0
        }

    override fun subscribe(listener: QueryListener<T>): Subscription = subscribe(listener, cache.dispatchExecutor)

    override fun subscribe(listener: QueryListener<T>, executor: Executor): Subscription {
        val subscription = ListenerSubscription(
            listener,
            executor,
            onFailure = { cache.logFailure("a listener of ${options.queryKey}", it) },
            onUnsubscribe = {
                subscriptions.remove(it)
                release()
            },
        )
        if (flow.value is Closed) { // a closed client: the last state, then nothing
            subscription.end()
            subscription.start { Published(currentState(), 0) }
            return subscription
        }
        subscriptions += subscription
        acquire()
        try {
            subscription.start { latest ?: Published(currentState(), 0) }
        } catch (e: Throwable) {
            subscription.unsubscribe() // the first delivery threw an Error: do not leave the query active
            throw e
        }
        return subscription
    }

    override suspend fun refetch(): QueryState<T> {
        val current = options
        val resolved = ResolvedOptions.resolve(current, cache.config)
        while (true) {
            val fetch = cache.getOrCreate(current.queryKey, current).fetch(resolved) ?: continue
            fetch.join()
            return currentState()
        }
    }

    override fun setOptions(options: QueryOptions<Q>) {
        val attached = synchronized(lock) {
            val old = this.options
            val keyChanged = options.queryKey != old.queryKey
            if (keyChanged) {
                val shown = currentState()
                previousData = if (shown.hasData) shown.data else NONE
            }
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
                    val resolved = ResolvedOptions.resolve(options, cache.config)
                    query.resolved = resolved
                    query.updatePolling()
                    Attached(query, resolved, fetch = options.enabled && !old.enabled)
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
        val resolved = ResolvedOptions.resolve(current, cache.config)
        while (true) {
            val query = try {
                cache.getOrCreate(current.queryKey, current)
            } catch (e: QueryClientClosedException) {
                markClosed()
                return null
            }
            bound = query
            if (!query.addObserver(this, notify = false)) continue // removed meanwhile: look the key up again
            query.resolved = resolved
            return Attached(query, resolved, fetch = current.enabled)
        }
    }

    /** Fetches as [QueryOptions.refetchOnSubscribe] says, then publishes (no IDLE flicker before PENDING). */
    private fun afterAttach(attached: Attached<Q>) {
        if (attached.fetch) fetchOnAttach(attached.query, attached.resolved)
        onQueryChanged()
    }

    /** Under [lock]: detaches from the query; its gc timer starts if nothing else uses it. */
    private fun detach() {
        bound?.removeObserver(this)
        bound = null
    }

    private fun fetchOnAttach(query: Query<Q>, resolved: ResolvedOptions<Q>) {
        try {
            when (resolved.options.refetchOnSubscribe) {
                RefetchOnSubscribe.ALWAYS -> query.fetch(resolved)
                RefetchOnSubscribe.IF_STALE -> query.lookup(resolved, Query.LookupMode.PREFETCH)
                RefetchOnSubscribe.NEVER -> {}
            }
        } catch (e: QueryClientClosedException) {
            markClosed()
        }
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
        if (query.key != options.queryKey) return // switching keys: the old query no longer counts
        val next = derive(query.state)
        while (true) {
            val previous = flow.value
            if (previous is Closed) return
            if (flow.compareAndSet(previous, next)) break
        }
        val published = Published(next, ++version)
        latest = published
        for (subscription in subscriptions) subscription.offer(published)
    }

    @Suppress("UNCHECKED_CAST")
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
        flow.compareAndSet(previous, derive(cache.get<Q>(options.queryKey)?.state ?: QueryState.idle()))
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

    @Suppress("UNCHECKED_CAST")
    private fun derive(raw: QueryState<Q>): QueryState<T> {
        val current = options
        return try {
            when {
                raw.hasData -> {
                    previousData = NONE // the new key has data: what was kept is no longer shown
                    if (select == null) raw as QueryState<T> else raw.showing(selectData(raw.data as Q), false)
                }
                raw.status == QueryStatus.ERROR || !(current.enabled || raw.isFetching) -> raw as QueryState<T>
                current.keepPreviousData && previousData !== NONE -> raw.showing(previousData as T, true)
                current.placeholderData != null -> raw.showing(selectData(current.placeholderData), true)
                else -> raw as QueryState<T>
            }
        } catch (e: Throwable) {
            if (e is VirtualMachineError) throw e
            val kept = memoSelected
            raw.selectFailed(e, if (kept === NONE) null else kept as T, kept !== NONE)
        }
    }

    /** [select] applied to [raw], run only for new raw data; an equal result keeps the old reference. */
    @Suppress("UNCHECKED_CAST")
    private fun selectData(raw: Q): T {
        val select = select ?: return raw as T
        if (memoRaw !== NONE && raw === memoRaw) return memoSelected as T
        val selected = select(raw)
        val kept = if (memoSelected !== NONE && memoSelected == selected) memoSelected else selected
        memoRaw = raw
        memoSelected = kept
        return kept as T
    }

    private companion object {
        val NONE = Any()
    }
}

/** A state an observer published, and its place in the observer's sequence of states. */
internal class Published<T>(val state: QueryState<T>, val version: Long)
