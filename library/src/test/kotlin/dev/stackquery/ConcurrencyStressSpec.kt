package dev.stackquery

import dev.stackquery.internal.query.Query
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeSameInstanceAs
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.joinAll
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield
import java.util.Collections
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger
import kotlin.random.Random
import kotlin.time.Duration
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/**
 * Real multi-threaded load on [Dispatchers.Default] with the system clock. Every test is bounded
 * by a 30 s timeout and uses small fixed op counts; nothing asserts on timing.
 */
class ConcurrencyStressSpec : FunSpec({

    test("1,000 concurrent callers on a cold key share one execution and all get its value") {
        stress {
            val client = stressClient(staleTime = 1.minutes)
            val calls = AtomicInteger()
            val gate = CompletableDeferred<Unit>()
            val options = QueryOptions(queryKey("cold", "ok"), queryFn = {
                val call = calls.incrementAndGet()
                gate.await()
                "value-$call"
            })
            val callers = List(CALLERS) { async(Dispatchers.Default) { client.fetchQuery(options) } }
            awaitAllEntered(client, CALLERS)
            gate.complete(Unit)
            val results = callers.awaitAll()
            calls.get() shouldBe 1
            results.toSet() shouldBe setOf("value-1")
            client.stats().fetches shouldBe 1
            client.stats().dedupJoins shouldBe (CALLERS - 1).toLong()
            client.getQueryState<String>(options.queryKey)!!.brief() shouldBe "SUCCESS/IDLE/value-1/0"
            client.close()
        }
    }

    test("1,000 concurrent callers on a cold key whose fetch fails all get the same exception") {
        stress {
            val client = stressClient()
            val calls = AtomicInteger()
            val gate = CompletableDeferred<Unit>()
            val thrown = ConcurrentHashMap.newKeySet<Throwable>()
            val options = QueryOptions<String>(queryKey("cold", "failing"), queryFn = {
                calls.incrementAndGet()
                gate.await()
                throw StressFailure("boom").also { thrown += it }
            })
            val callers = List(CALLERS) {
                async(Dispatchers.Default) {
                    try {
                        client.fetchQuery(options)
                        null
                    } catch (e: StressFailure) {
                        e
                    }
                }
            }
            awaitAllEntered(client, CALLERS)
            gate.complete(Unit)
            val errors = callers.awaitAll()
            calls.get() shouldBe 1
            thrown.size shouldBe 1
            val boom = thrown.single()
            errors.forEach { it!!.original() shouldBeSameInstanceAs boom }
            val state = client.getQueryState<String>(options.queryKey)!!
            state.brief() shouldBe "ERROR/IDLE/null/1"
            state.error shouldBeSameInstanceAs boom
            client.close()
        }
    }

    test("random mixed operations from 8 workers throw only QueryCancelledException and leave nothing fetching") {
        stress {
            val run = mixedWorkload()
            run.unexpected.shouldBeEmpty()
            run.isFetchingAfterCancel shouldBe 0
            run.fetchingStatesAfterCancel.shouldBeEmpty()
            check(run.executions > 0) { "the query functions never ran" }
        }
    }

    test("random mixed operations from 8 workers never run one key's query function twice at the same time") {
        stress {
            val run = mixedWorkload()
            run.unexpected.shouldBeEmpty()
            run.overlaps.shouldBeEmpty()
            run.maxRunning shouldBe 1
        }
    }

    test("a fetch started after cancelQueries does not run while the cancelled execution is still finishing") {
        stress {
            val client = stressClient()
            val key = queryKey("cancel", "overlap")
            val running = AtomicInteger()
            val maxRunning = AtomicInteger()
            val calls = AtomicInteger()
            val firstEntered = CompletableDeferred<Unit>()
            val cleanup = CompletableDeferred<Unit>()
            val options = QueryOptions(key, queryFn = {
                val call = calls.incrementAndGet()
                maxRunning.accumulateAndGet(running.incrementAndGet(), ::maxOf)
                try {
                    if (call == 1) {
                        firstEntered.complete(Unit)
                        awaitCancellation()
                    }
                    "v$call"
                } finally {
                    // a query function that needs a moment to release its resources once cancelled
                    if (call == 1) withContext(NonCancellable) { cleanup.await() }
                    running.decrementAndGet()
                }
            })
            val first = async(Dispatchers.Default) {
                try {
                    client.fetchQuery(options)
                } catch (e: QueryCancelledException) {
                    e
                }
            }
            firstEntered.await()
            val canceller = launch(Dispatchers.Default) { client.cancelQueries(key) }
            while (client.getQueryState<String>(key)!!.isFetching) yield() // abandoned: state reverted
            val second = async(Dispatchers.Default) { client.fetchQuery(options) }
            var spins = 0
            while (calls.get() < 2 && spins++ < 10_000) yield() // give an overlapping start every chance
            cleanup.complete(Unit)
            (first.await() is QueryCancelledException) shouldBe true
            canceller.join()
            second.await() shouldBe "v2"
            maxRunning.get() shouldBe 1
            client.close()
        }
    }

    test("setQueryData updaters from 8 threads on one key lose no increment") {
        stress {
            val client = stressClient()
            val key = queryKey("counter")
            List(WORKERS) {
                launch(Dispatchers.Default) {
                    repeat(INCREMENTS_PER_WORKER) { n ->
                        client.setQueryData<Int>(key) { (it ?: 0) + 1 }
                        if (n % 100 == 0) yield()
                    }
                }
            }.joinAll()
            client.getQueryData<Int>(key) shouldBe WORKERS * INCREMENTS_PER_WORKER
            client.getQueryState<Int>(key)!!.brief() shouldBe "SUCCESS/IDLE/${WORKERS * INCREMENTS_PER_WORKER}/0"
            client.close()
        }
    }

    test("close() while fetches run on several threads ends every waiter and leaves no coroutine behind") {
        stress {
            val client = stressClient()
            val started = AtomicInteger()
            val options = List(KEYS) { i ->
                QueryOptions(queryKey("close", i), queryFn = {
                    started.incrementAndGet()
                    if (i % 3 == 0) {
                        repeat(i) { yield() }
                        "done-$i"
                    } else {
                        awaitCancellation()
                    }
                })
            }
            val outcomes = List(200) { n ->
                async(Dispatchers.Default) {
                    try {
                        client.fetchQuery(options[n % KEYS])
                    } catch (e: Throwable) {
                        currentCoroutineContext().ensureActive()
                        e.original()
                    }
                }
            }
            while (started.get() < KEYS / 2) yield()
            withContext(Dispatchers.Default) { client.close() }

            val results = outcomes.awaitAll()
            results.filter {
                it !is String && it !is QueryCancelledException && it !is QueryClientClosedException
            }.shouldBeEmpty()

            client.engine.runtime.job.join()
            client.engine.runtime.job.children.count() shouldBe 0
            client.isFetching() shouldBe 0
            client.engine.store.size shouldBe 0
            val afterClose = try {
                client.fetchQuery(options[1])
            } catch (e: QueryClientClosedException) {
                e
            }
            (afterClose is QueryClientClosedException) shouldBe true
        }
    }
})

private const val CALLERS = 1_000
private const val KEYS = 20
private const val WORKERS = 8
private const val OPS_PER_WORKER = 500
private const val INCREMENTS_PER_WORKER = 2_000

private class StressFailure(message: String) : RuntimeException(message)

private class MixedRun(
    val unexpected: List<Throwable>,
    val overlaps: List<String>,
    val maxRunning: Int,
    val executions: Int,
    val isFetchingAfterCancel: Int,
    val fetchingStatesAfterCancel: List<QueryKey>,
)

/**
 * [WORKERS] coroutines on [Dispatchers.Default] each run [OPS_PER_WORKER] random operations over
 * [KEYS] keys (fetchQuery, setQueryData updater, invalidate/refetch by prefix, remove, cancel,
 * getQueryState, attaching and detaching observers). Each query function counts how many of its
 * key's executions run at once, and fails now and then with [StressFailure]. When the workers are
 * done, `cancelQueries()` runs and the fetch status of every key is read.
 */
private suspend fun mixedWorkload(): MixedRun = coroutineScope {
    val client = stressClient()
    val keys = List(KEYS) { queryKey("item", it % 4, it) } // prefixes ["item",0..3], 5 keys each
    val running = Array(KEYS) { AtomicInteger() }
    val maxRunning = AtomicInteger()
    val overlaps = Collections.synchronizedList(mutableListOf<String>())
    val unexpected = Collections.synchronizedList(mutableListOf<Throwable>())
    val observed = mutableListOf<Query<*>>() // guarded by itself
    val executions = AtomicInteger()
    val options = List(KEYS) { i ->
        QueryOptions(keys[i], queryFn = {
            executions.incrementAndGet()
            val now = running[i].incrementAndGet()
            maxRunning.accumulateAndGet(now, ::maxOf)
            if (now > 1) overlaps += "${keys[i]} had $now executions at once"
            try {
                repeat(Random.nextInt(1, 6)) { yield() }
                if (Random.nextInt(8) == 0) throw StressFailure("injected failure of ${keys[i]}")
                Random.nextInt(1_000_000)
            } finally {
                running[i].decrementAndGet()
            }
        })
    }
    List(WORKERS) { w ->
        launch(Dispatchers.Default) {
            val random = Random(1_000 + w)
            repeat(OPS_PER_WORKER) {
                val i = random.nextInt(KEYS)
                val key = keys[i]
                val group = queryKey("item", i % 4)
                try {
                    when (random.nextInt(100)) {
                        in 0..34 -> client.fetchQuery(options[i])
                        in 35..49 -> client.setQueryData<Int>(key) { (it ?: 0) + 1 }
                        in 50..57 -> client.invalidateQueries(group)
                        in 58..63 -> client.removeQueries(if (random.nextBoolean()) key else group)
                        in 64..71 -> client.cancelQueries(key)
                        in 72..79 -> client.refetchQueries(group)
                        in 80..89 -> client.getQueryState<Int>(key)?.let { check(it.failureCount >= 0) }
                        in 90..94 -> client.engine.store.get<Int>(key)?.let { q ->
                            if (q.addObserver()) synchronized(observed) { observed += q }
                        }
                        else -> synchronized(observed) { observed.removeLastOrNull() }?.removeObserver()
                    }
                } catch (e: Throwable) {
                    currentCoroutineContext().ensureActive() // our own timeout: propagate it
                    val original = e.original()
                    if (original !is QueryCancelledException && original !is StressFailure) unexpected += e
                }
            }
        }
    }.joinAll()
    client.cancelQueries()
    val result = MixedRun(
        unexpected = unexpected.toList(),
        overlaps = overlaps.toList(),
        maxRunning = maxRunning.get(),
        executions = executions.get(),
        isFetchingAfterCancel = client.isFetching(),
        fetchingStatesAfterCancel = keys.filter { client.getQueryState<Int>(it)?.fetchStatus == FetchStatus.FETCHING },
    )
    client.close()
    result
}

/** A client on [Dispatchers.Default] and the system clock, with retries off. */
private fun stressClient(staleTime: Duration = Duration.ZERO): QueryClient = QueryClient(
    QueryClientConfig(
        staleTime = staleTime,
        gcTime = 5.minutes,
        retry = 0,
        coroutineContext = Dispatchers.Default,
    ),
)

/** Runs [block] on [Dispatchers.Default], failing after 30 s instead of hanging the build. */
private suspend fun stress(block: suspend CoroutineScope.() -> Unit) {
    withContext(Dispatchers.Default) {
        withTimeout(30.seconds) { coroutineScope { block() } }
    }
}

/**
 * Suspends until [callers] fetch requests have reached their query: each either started a fetch
 * (counted in `fetches` once it runs) or joined one (`dedupJoins`, counted synchronously).
 */
private suspend fun awaitAllEntered(client: QueryClient, callers: Int) {
    while (true) {
        val stats = client.stats()
        if (stats.fetches + stats.dedupJoins >= callers) return
        yield()
    }
}
