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
import java.util.concurrent.RejectedExecutionException
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
        subscriptions += subscription
        acquire()
        subscription.start(::currentState)
        if (flow.value is Closed) subscription.end() // a closed client: the last state, then nothing
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
        synchronized(lock) {
            val old = this.options
            val keyChanged = options.queryKey != old.queryKey
            if (keyChanged) {
                val shown = currentState()
                previousData = if (shown.hasData) shown.data else NONE
            }
            this.options = options
            val query = bound
            when {
                query == null -> refresh()
                keyChanged -> {
                    detach()
                    attach()
                }
                else -> {
                    val resolved = ResolvedOptions.resolve(options, cache.config)
                    query.resolved = resolved
                    query.updatePolling()
                    if (options.enabled && !old.enabled) fetchOnAttach(query, resolved)
                    onQueryChanged()
                }
            }
        }
    }

    override fun onQueryChanged() {
        if (pendingChanges.getAndIncrement() != 0) return // the thread draining will publish it
        var missed = 1
        while (true) {
            publish()
            missed = pendingChanges.addAndGet(-missed)
            if (missed == 0) return
        }
    }

    override fun onQueryRemoved(query: Query<*>, cause: RemovalCause) {
        try {
            cache.dispatchExecutor.execute {
                if (cause == RemovalCause.CLOSED) markClosed() else reattach(query)
            }
        } catch (e: RejectedExecutionException) {
            // The client's executor is shut down: nothing will run there again. End the observer
            // here rather than leave its collectors waiting forever.
            markClosed()
        }
    }

    private fun acquire() = synchronized(lock) {
        if (subscribers++ == 0) attach()
    }

    private fun release() = synchronized(lock) {
        if (--subscribers == 0) detach()
    }

    /** Under [lock]: attaches to the query of [options], creating it if needed, and fetches as asked. */
    private fun attach() {
        if (flow.value is Closed) return
        val current = options
        val resolved = ResolvedOptions.resolve(current, cache.config)
        while (true) {
            val query = try {
                cache.getOrCreate(current.queryKey, current)
            } catch (e: QueryClientClosedException) {
                markClosed()
                return
            }
            bound = query
            if (!query.addObserver(this, notify = false)) continue // removed meanwhile: look the key up again
            query.resolved = resolved
            if (current.enabled) fetchOnAttach(query, resolved)
            onQueryChanged() // after the fetch started: no IDLE flicker before PENDING
            return
        }
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
        synchronized(lock) {
            if (bound !== removed) return
            bound = null
            if (subscribers > 0) attach()
        }
    }

    /** The attached query's state as this observer shows it, published to the flow and listeners. */
    private fun publish() {
        val query = bound ?: return
        val next = derive(query.state)
        while (true) {
            val previous = flow.value
            if (previous is Closed) return
            if (flow.compareAndSet(previous, next)) break
        }
        for (subscription in subscriptions) subscription.offer(next)
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
