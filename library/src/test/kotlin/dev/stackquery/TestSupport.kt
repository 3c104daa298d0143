package dev.stackquery

import dev.stackquery.internal.query.ObserverDemand
import dev.stackquery.internal.query.Query
import dev.stackquery.internal.query.QueryStateObserver
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.UnconfinedTestDispatcher
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.ConcurrentLinkedDeque
import java.util.concurrent.atomic.AtomicInteger
import kotlin.coroutines.Continuation
import kotlin.coroutines.EmptyCoroutineContext
import kotlin.coroutines.intrinsics.COROUTINE_SUSPENDED
import kotlin.coroutines.intrinsics.startCoroutineUninterceptedOrReturn
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** Advances virtual time by [time] (1 s by default) and runs the tasks due then too: the client settles. */
internal fun TestScope.settle(time: Duration = 1.seconds) {
    advanceTimeBy(time)
    runCurrent()
}

/** A client on the test's virtual clock and dispatcher; retries off unless asked for. */
internal fun TestScope.testClient(
    staleTime: Duration = Duration.ZERO,
    gcTime: Duration = 5.minutes,
    retry: Int = 0,
    retryPolicy: RetryPolicy = RetryPolicy.DEFAULT,
    cacheMaxSize: Int = 1000,
    focusManager: FocusManager = FocusManager.ALWAYS_FOCUSED,
    onlineManager: OnlineManager = OnlineManager.ALWAYS_ONLINE,
    networkMode: NetworkMode = NetworkMode.ONLINE,
    refetchOnReconnect: RefetchTrigger = RefetchTrigger.IF_STALE,
): QueryClient = QueryClient(
    QueryClientConfig(
        staleTime = staleTime,
        gcTime = gcTime,
        retry = retry,
        retryPolicy = retryPolicy,
        cacheMaxSize = cacheMaxSize,
        clock = QueryClock { testScheduler.currentTime },
        coroutineContext = StandardTestDispatcher(testScheduler),
        focusManager = focusManager,
        onlineManager = onlineManager,
        networkMode = networkMode,
        refetchOnReconnect = refetchOnReconnect,
    ),
)

/**
 * A hand-written query function: counts calls, waits [latency] (virtual time), then returns
 * `results(callNumber)` (1-based) or throws what it throws. Thread-safe.
 */
internal class FakeFetcher<T>(
    private val latency: Duration = 100.milliseconds,
    private val results: (Int) -> T,
) {
    private val counter = AtomicInteger()
    val calls: Int get() = counter.get()

    suspend operator fun invoke(): T {
        val call = counter.incrementAndGet()
        delay(latency)
        return results(call)
    }
}

/** Every event of [client], recorded as it is emitted (start it before acting). */
@OptIn(ExperimentalCoroutinesApi::class)
internal fun TestScope.recordEvents(client: QueryClient): List<QueryCacheEvent> {
    val events = mutableListOf<QueryCacheEvent>()
    backgroundScope.launch(UnconfinedTestDispatcher(testScheduler), start = CoroutineStart.UNDISPATCHED) {
        client.events.collect { events += it }
    }
    return events
}

/** The states [key] went through, from its [QueryCacheEvent.Updated] events. */
internal fun List<QueryCacheEvent>.statesOf(key: QueryKey): List<QueryState<*>> =
    filterIsInstance<QueryCacheEvent.Updated>().filter { it.queryKey == key }.map { it.state }

/** `status/fetchStatus/data/failureCount` of a state, for compact exact-sequence assertions. */
internal fun QueryState<*>.brief(): String = "$status/$fetchStatus/$data/$failureCount"

/** The internal query under [key], which must exist. */
internal fun <T> QueryClient.query(key: QueryKey): Query<T> = checkNotNull(engine.store.get(key)) { "no query $key" }

/** An observer that only makes its query active (no listener, no polling), for engine tests. */
internal class BareObserver : QueryStateObserver {
    override fun onQueryChanged() {}
    override fun onQueryRemoved(query: Query<*>, cause: QueryCacheEvent.RemovalCause) {}
}

/** What a [BareObserver] asks of its query: enabled, no polling, the query's own options. */
private val bareDemand = ObserverDemand<Any?>(options = null)

/**
 * The observers a test attached to one query, newest last, safe for concurrent stress workers.
 * [pop] takes one atomically: the synchronized list used before had `removeLastOrNull()`, a size
 * check then a `removeAt`, so two workers could both see the same last element and the second's
 * `removeAt` threw `IndexOutOfBoundsException` (the mixed-workload stress failure).
 */
internal class ObserverStack<E : Any> {
    private val deque = ConcurrentLinkedDeque<E>()

    fun push(element: E) = deque.addLast(element)

    /** The newest element, removed; `null` when empty. */
    fun pop(): E? = deque.pollLast()
}

private val bareObservers = ConcurrentHashMap<Query<*>, ObserverStack<BareObserver>>()

/** Attaches a [BareObserver] to this query; false if it has left the cache. */
internal fun Query<*>.addObserver(): Boolean {
    val observer = BareObserver()
    @Suppress("UNCHECKED_CAST") // the bare demand carries no options, so it fits every query
    if (!(this as Query<Any?>).addObserver(observer, bareDemand)) return false
    bareObservers.computeIfAbsent(this) { ObserverStack() }.push(observer)
    return true
}

/** Detaches one [BareObserver] attached by [addObserver]; fails if none is attached. */
internal fun Query<*>.removeObserver() {
    val observer = checkNotNull(bareObservers[this]?.pop()) { "no bare observer on $key" }
    removeObserver(observer)
}

/** Attaches one bare observer to the query under [key], making it active. */
internal fun QueryClient.observe(key: QueryKey) = check(query<Any?>(key).addObserver())

/** Runs [block] and returns its result if it completed without suspending, else fails. */
internal fun <T> completesWithoutSuspending(block: suspend () -> T): T {
    val completion = Continuation<T>(EmptyCoroutineContext) { error("resumed: the block suspended") }
    val result = block.startCoroutineUninterceptedOrReturn(completion)
    check(result !== COROUTINE_SUSPENDED) { "the block suspended" }
    @Suppress("UNCHECKED_CAST")
    return result as T
}

/** The original error of a rethrown one (coroutines may copy an exception to recover its stack trace). */
internal fun Throwable.original(): Throwable = if (cause != null && cause!!::class == this::class) cause!! else this
