package dev.stackquery.benchmarks

import dev.stackquery.QueryClient
import dev.stackquery.QueryKey
import dev.stackquery.QueryObserver
import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import dev.stackquery.QueryStateField
import dev.stackquery.RefetchTrigger
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicLong
import java.util.concurrent.atomic.AtomicLongArray

/**
 * The fan-out of an *equal refetch*: [observers] coroutines on `Dispatchers.Default` (as in
 * [FanOut]) collect the state of one key; [refetch] fetches it again and the query function
 * returns data equal to the cached data, but a new instance ([freshItems]: a list of data-class
 * items built anew on every call). Start exactly one contender, then call [refetch] (the measured
 * operation) and, outside the timed path, [verify].
 *
 * - [startStackQuery]: one client, one key, [observers] observers of it made with
 *   `client.watch(options)`, each collected by one coroutine. With `dataOnly` their options have
 *   `notifyOnChange = setOf(QueryStateField.DATA)`: structural sharing keeps the cached list, so
 *   no observer may publish anything and [refetch] is `runBlocking { client.refetchQueries(key) }`
 *   alone. Without it they track every field: each refetch publishes `FETCHING` and then the
 *   settled state (new `dataUpdatedAt`), and [refetch] also waits until every collector has seen
 *   the settled state (as [FanOut.publish] does).
 * - [startStackQueryWithoutObservers]: the same refetch of a key nobody observes: what the
 *   refetch costs before any fan-out (for the decomposition of the figures only).
 * - [startStateFlow]: all collectors collect one `MutableStateFlow` and [refetch] sets it to
 *   [freshItems]; `StateFlow` compares the new value with `equals` and, equal, wakes nobody.
 *
 * In every case the observers (or collectors) are told of the refetch inside [refetch]: a query
 * tells its observers about each state change on the thread that made it, once its monitor is
 * released, and the fetch completes only after its settled state was handed to all of them, so
 * `refetchQueries` returns after every observer has compared the new state with the one it shows.
 *
 * [verify] fails with [IllegalStateException] if a collector that must not be woken was (any
 * emission after the start), if a DATA-only observer's published state is no longer the one it
 * had after the start, if the cache no longer holds the first list instance (structural sharing
 * not applied), if the query function did not run once per refetch (a refetch skipped or joined),
 * or, with all fields tracked, if a collector saw fewer states than there were refetches (the
 * counting itself is broken). Not thread-safe: one benchmark thread drives it.
 */
class EqualRefetchFanOut @JvmOverloads constructor(
    private val observers: Int,
    /** How long the start and a waiting [refetch] wait for every collector before they throw. */
    private val timeoutSeconds: Long = 60,
) : AutoCloseable {
    /** One element of the query's data: a data class, so equal copies are `equals`. */
    data class Item(val id: Int, val name: String, val price: Long, val tags: List<String>)

    private class Round(val target: Long, val seen: CountDownLatch)

    private enum class Mode { STACK_QUERY_DATA_ONLY, STACK_QUERY_ALL_FIELDS, STACK_QUERY_NO_OBSERVERS, STATE_FLOW }

    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    /** Per collector: the emissions it received after the start (its deliveries). */
    private val deliveries = AtomicLongArray(observers)

    @Volatile
    private var armed = false

    @Volatile
    private var round = Round(0L, CountDownLatch(observers))

    private var mode: Mode? = null
    private var doRefetch: (() -> Unit)? = null
    private var refetches = 0L
    private val queryFnCalls = AtomicLong()

    private var client: QueryClient? = null
    private var key: QueryKey? = null
    private var firstData: List<Item>? = null
    private var watched: Array<QueryObserver<List<Item>>> = emptyArray()
    private var shownAfterStart: Array<QueryState<List<Item>>?> = emptyArray()
    private var stateFlow: MutableStateFlow<List<Item>>? = null

    /** The refetches so far. */
    val refetchCount: Long get() = refetches

    /** Every collector's deliveries so far, summed. */
    fun totalDeliveries(): Long = (0 until observers).sumOf { deliveries[it] }

    /**
     * [observers] observers of [key] on [client], tracking only DATA when [dataOnly], every field
     * otherwise; the key is fetched once first, so it has data before they attach.
     */
    fun startStackQuery(client: QueryClient, key: QueryKey, dataOnly: Boolean) {
        startStackQuery(client, key, if (dataOnly) setOf(QueryStateField.DATA) else null)
    }

    /**
     * Like the public overload, with observers tracking [tracked] (`null`: every field). With a
     * set, they are expected not to be woken by an equal refetch, as DATA-only ones; the harness's
     * own tests pass a set for which that is false, to see [verify] fail.
     */
    internal fun startStackQuery(client: QueryClient, key: QueryKey, tracked: Set<QueryStateField>?) {
        val dataOnly = tracked != null
        val options = options(key, tracked)
        fetchFirst(client, key, options)
        val target = client.getQueryState<List<Item>>(key)!!.dataUpdateCount.toLong()
        round = Round(target, CountDownLatch(observers))
        val made = Array<QueryObserver<List<Item>>>(observers) { client.watch(options) }
        watched = made
        start(
            if (dataOnly) Mode.STACK_QUERY_DATA_ONLY else Mode.STACK_QUERY_ALL_FIELDS,
            source = { i -> made[i].state },
            version = { state -> if (state.hasData) state.dataUpdateCount.toLong() else -1L },
        )
        shownAfterStart = Array(observers) { made[it].current }
        doRefetch = if (dataOnly) {
            { refetchQueries(client, key) }
        } else {
            {
                val next = Round(round.target + 1, CountDownLatch(observers))
                round = next
                refetchQueries(client, key)
                await(next)
            }
        }
    }

    /** The same key and refetch with no observer at all. */
    fun startStackQueryWithoutObservers(client: QueryClient, key: QueryKey) {
        val options = options(key, null)
        fetchFirst(client, key, options)
        check(mode == null) { "already started" }
        mode = Mode.STACK_QUERY_NO_OBSERVERS
        armed = true
        doRefetch = { refetchQueries(client, key) }
    }

    /** [observers] collectors of one `MutableStateFlow` holding [freshItems]. */
    fun startStateFlow() {
        val first = freshItems()
        val flow = MutableStateFlow(first)
        stateFlow = flow
        firstData = first
        start(Mode.STATE_FLOW, source = { flow }, version = { 0L })
        doRefetch = { flow.value = freshItems() }
    }

    /** The measured operation: one equal refetch, returned once it settled (see the class). */
    fun refetch() {
        val refetch = checkNotNull(doRefetch) { "not started" }
        refetches++
        refetch()
    }

    /**
     * Checks that the refetches so far measured what they claim to (see the class); outside the
     * timed path. Waits [graceMillis] first, so that a collector wrongly woken has time to run.
     */
    @JvmOverloads
    fun verify(graceMillis: Long = 100) {
        val mode = checkNotNull(mode) { "not started" }
        if (graceMillis > 0) Thread.sleep(graceMillis)
        val total = totalDeliveries()
        when (mode) {
            Mode.STACK_QUERY_DATA_ONLY, Mode.STATE_FLOW -> {
                check(total == 0L) {
                    val woken = (0 until observers).count { deliveries[it] != 0L }
                    val flow = mode == Mode.STATE_FLOW
                    val what = if (flow) "StateFlow collectors" else "DATA-only observers' collectors"
                    "$woken of $observers $what received $total states after $refetches equal refetches " +
                        "(expected none: equal data must not wake them)" + firstChangedObserver()
                }
            }
            Mode.STACK_QUERY_ALL_FIELDS -> {
                val short = (0 until observers).firstOrNull { deliveries[it] < refetches }
                check(short == null) {
                    "collector $short of $observers all-field observers received ${deliveries[short!!]} states " +
                        "after $refetches refetches (expected at least one each): the delivery counting is broken"
                }
            }
            Mode.STACK_QUERY_NO_OBSERVERS -> {}
        }
        if (mode == Mode.STACK_QUERY_DATA_ONLY) {
            val changed = firstChangedObserver()
            check(changed.isEmpty()) {
                "a DATA-only observer published a state after $refetches equal refetches$changed"
            }
        }
        if (mode == Mode.STATE_FLOW) {
            check(stateFlow!!.value === firstData) {
                "the StateFlow no longer holds its first list: an equal value replaced it"
            }
        } else {
            val client = client!!
            val key = key!!
            check(client.getQueryData<List<Item>>(key) === firstData) {
                "the cache no longer holds the first list instance of $key after $refetches equal refetches: " +
                    "structural sharing did not keep it"
            }
            val calls = queryFnCalls.get()
            check(calls == refetches + 1) {
                "the query function of $key ran $calls times for 1 first fetch and $refetches refetches: " +
                    "some refetches were skipped or joined"
            }
        }
    }

    private fun firstChangedObserver(): String {
        val i = watched.indices.firstOrNull { watched[it].current !== shownAfterStart[it] } ?: return ""
        val before = shownAfterStart[i]!!
        val now = watched[i].current
        val data = if (now.data === before.data) "same instance" else "new instance"
        return "; observer $i shows a new state: data $data, " +
            "fetchStatus ${before.fetchStatus} -> ${now.fetchStatus}, dataUpdateCount ${before.dataUpdateCount} -> " +
            "${now.dataUpdateCount}, dataUpdatedAt ${before.dataUpdatedAt} -> ${now.dataUpdatedAt}"
    }

    private fun options(key: QueryKey, notifyOnChange: Set<QueryStateField>?) = QueryOptions(
        queryKey = key,
        queryFn = {
            queryFnCalls.incrementAndGet()
            freshItems()
        },
        retry = 0,
        refetchOnSubscribe = RefetchTrigger.NEVER,
        notifyOnChange = notifyOnChange,
    )

    private fun fetchFirst(client: QueryClient, key: QueryKey, options: QueryOptions<List<Item>>) {
        this.client = client
        this.key = key
        firstData = runBlocking { client.fetchQuery(options) }
    }

    private fun refetchQueries(client: QueryClient, key: QueryKey) {
        runBlocking { client.refetchQueries(key) }
    }

    private fun <T> start(mode: Mode, source: (Int) -> Flow<T>, version: (T) -> Long) {
        check(this.mode == null) { "already started" }
        this.mode = mode
        val first = round
        for (i in 0 until observers) {
            val flow = source(i)
            scope.launch {
                var counted = Long.MIN_VALUE // the target of the last round this collector counted
                flow.collect { value ->
                    if (armed) deliveries.incrementAndGet(i)
                    val current = round
                    if (version(value) >= current.target && counted != current.target) {
                        counted = current.target
                        current.seen.countDown()
                    }
                }
            }
        }
        await(first)
        armed = true
    }

    private fun await(round: Round) {
        check(round.seen.await(timeoutSeconds, TimeUnit.SECONDS)) {
            "${round.seen.count} of $observers collectors had not seen version ${round.target} after $timeoutSeconds s"
        }
    }

    override fun close() {
        scope.cancel()
    }

    companion object {
        /** How many items the query's data holds. */
        const val ITEMS: Int = 8

        private val NAMES = Array(ITEMS) { "item-$it" }
        private val TAGS = listOf("a", "b")

        /** The query's data, a new but equal instance on every call: [ITEMS] new items in a new list. */
        @JvmStatic
        fun freshItems(): List<Item> = List(ITEMS) { Item(it, NAMES[it], 100L * it, ArrayList(TAGS)) }
    }
}
