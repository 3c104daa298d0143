package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import org.jetbrains.lincheck.datastructures.IntGen
import org.jetbrains.lincheck.datastructures.Operation
import org.jetbrains.lincheck.datastructures.Param
import org.jetbrains.lincheck.datastructures.Validate
import java.util.concurrent.ConcurrentLinkedDeque
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration

/**
 * A client of keys 1 and 2 whose background work runs only when a model says so: its dispatcher
 * is a queue that [runPending] empties. A query function waits for the answer [answer] gives its
 * key, through a channel (so taking an answer is one atomic step), and a fetch settles at a point
 * the model checker chooses. Suspending calls (`fetchQuery`, `invalidateQueries`,
 * `cancelQueries`) start undispatched: their synchronous part runs inside the operation, what
 * follows a suspension in later background work. Nothing waits for time: the clock is fixed, gc
 * time is infinite, retries are off.
 *
 * (An earlier model ran the client on an inline dispatcher, which runs a cancelled fetch's
 * completion inside the operation that cancels it, under the query's monitor. No real client
 * does that: the client rejects unconfined dispatchers.)
 */
internal class FetchHarness {
    private val queue = QueuedDispatcher()
    private val dispatcher = queue.dispatcher
    val client = QueryClient(
        QueryClientConfig(
            gcTime = Duration.INFINITE,
            retry = 0,
            clock = QueryClock {
                0L
            },
            coroutineContext = dispatcher,
        ),
    )
    private val callers = CoroutineScope(SupervisorJob() + dispatcher)

    /** What the query function of each key returns next (0: it throws), in order; it waits for one. */
    private val answers = Array(3) { Channel<Int>(Channel.UNLIMITED) }
    private val running = Array(3) { AtomicInteger() }
    private val maxRunning = Array(3) { AtomicInteger() }
    private val waitingCallers = Array(3) { AtomicInteger() }
    private val subscriptions = Array(3) { ConcurrentLinkedDeque<Pair<QueryObserver<Int>, Subscription>>() }

    init {
        runPending() // the client's gc loop parks on its wake-up channel before the checker starts
    }

    fun key(k: Int) = queryKey("k", k)

    private fun options(k: Int) = QueryOptions(key(k), queryFn = { call(k) })

    private suspend fun call(k: Int): Int {
        maxRunning[k].accumulateAndGet(running[k].incrementAndGet(), ::maxOf)
        try {
            return answers[k].receive().also { check(it != 0) { "boom" } }
        } finally {
            running[k].decrementAndGet()
        }
    }

    /** Runs the client's background work until none is left (see [QueuedDispatcher]). */
    fun runPending() = queue.runPending()

    /** The next call of the query function of [k] (the one waiting, if any) returns [v]; 0: throws. */
    fun answer(k: Int, v: Int) {
        answers[k].trySend(v)
    }

    fun fetch(k: Int) {
        waitingCallers[k].incrementAndGet()
        suspending {
            try {
                client.fetchQuery(options(k))
            } finally {
                waitingCallers[k].decrementAndGet()
            }
        }
    }

    fun set(k: Int, v: Int): Int = client.setQueryData(key(k), -v)

    fun update(k: Int): Int = client.setQueryData<Int>(key(k)) { (it ?: 0) - 10 }!!

    fun get(k: Int): Int? = client.getQueryData(key(k))

    fun invalidate(k: Int) = suspending { client.invalidateQueries(QueryFilter.exact(key(k))) }

    fun invalidateAll() = suspending { client.invalidateQueries(queryKey("k")) }

    fun cancel(k: Int) = suspending { client.cancelQueries(QueryFilter.exact(key(k))) }

    fun remove(k: Int) = client.removeQueries(QueryFilter.exact(key(k)))

    /** Subscribes a listener to a new observer of [k] (its first state is delivered inline). */
    fun subscribe(k: Int) {
        val observer = client.watch(options(k))
        subscriptions[k].add(observer to observer.subscribe({}, Runnable::run))
    }

    /** Ends the latest subscription to [k], if any. */
    fun unsubscribe(k: Int) {
        subscriptions[k].pollLast()?.second?.unsubscribe()
    }

    /**
     * The state of [k], `null` for none. A query IDLE without data reads as none: the client
     * treats the two alike, and `fetchQuery` makes a new key's query, IDLE, a moment before it
     * starts fetching it (two steps, visible to a concurrent reader, which no sequential order
     * shows and no caller can act on).
     */
    fun state(k: Int): String? = client.getQueryState<Int>(key(k))?.takeUnless { it.isIdle && !it.isFetching }?.let {
        "${it.data} ${it.status} ${it.fetchStatus} invalidated=${it.isInvalidated} error=${it.error != null}"
    }

    fun fetching(): Int = client.isFetching(queryKey("k"))

    private fun suspending(block: suspend () -> Unit) {
        callers.launch(start = CoroutineStart.UNDISPATCHED) {
            try {
                block()
            } catch (_: Exception) {
                // a failed or cancelled fetch; what the cache holds is what the models check
            }
        }
    }

    /**
     * What must hold once the background work has all run, whatever happened before: a key's
     * query function never ran twice at once; a query is FETCHING exactly when its function is
     * waiting for an answer (never stuck FETCHING, never a call left running for nothing); a
     * query is never PENDING without fetching; a `fetchQuery` caller still waiting has its
     * key fetching; an observed key is in the cache, and each observer shows exactly what the
     * cache holds; `isFetching` counts the fetching keys.
     */
    fun checkQuiescent() {
        runPending()
        var fetchingKeys = 0
        for (k in 1..2) {
            check(maxRunning[k].get() <= 1) { "the query function of key $k ran ${maxRunning[k]} times at once" }
            val state = client.getQueryState<Int>(key(k))
            val fetching = state?.isFetching == true
            if (fetching) fetchingKeys++
            check(fetching == (running[k].get() == 1)) { "key $k: ${state(k)}, ${running[k]} calls running" }
            check(state?.isPending != true || fetching) { "key $k is PENDING without fetching: ${state(k)}" }
            check(waitingCallers[k].get() == 0 || fetching) { "a fetchQuery caller waits for nothing: ${state(k)}" }
            for ((observer, _) in subscriptions[k]) {
                check(state != null) { "key $k is observed but not in the cache" }
                // The observer's own flags (isFetchedAfterMount, its staleness) are its own; the rest is the cache's.
                val shown = observer.current.flagged(stale = state.isStale, fetchedAfterMount = false)
                check(shown == state) { "an observer of key $k shows ${observer.current}, the cache $state" }
            }
        }
        check(fetching() == fetchingKeys) { "isFetching is ${fetching()}, $fetchingKeys keys are fetching" }
    }
}

/**
 * The synchronous part of fetching, writing (value and updater), reading, invalidating,
 * cancelling and removing (no background work ever runs: fetches start and stay in flight),
 * checked for linearizability: every interleaving of these operations at every shared access
 * must give the results of some sequential order.
 *
 * Observers are in [FetchQuiescenceOperations] only: removing an observed key and its observers
 * re-attaching are two steps (see `QueryClient.removeQueries`), so a concurrent reader may see
 * the key between them, which no sequential order shows.
 */
@Param(name = "key", gen = IntGen::class, conf = "1:2")
@Param(name = "value", gen = IntGen::class, conf = "1:3")
class FetchLinearizabilityOperations {
    private val harness = FetchHarness()

    @Operation
    fun fetch(@Param(name = "key") k: Int) = harness.fetch(k)

    @Operation
    fun set(@Param(name = "key") k: Int, @Param(name = "value") v: Int): Int = harness.set(k, v)

    @Operation
    fun update(@Param(name = "key") k: Int): Int = harness.update(k)

    @Operation
    fun get(@Param(name = "key") k: Int): Int? = harness.get(k)

    @Operation
    fun invalidate(@Param(name = "key") k: Int) = harness.invalidate(k)

    @Operation
    fun invalidateAll() = harness.invalidateAll()

    @Operation
    fun cancel(@Param(name = "key") k: Int) = harness.cancel(k)

    @Operation
    fun remove(@Param(name = "key") k: Int) = harness.remove(k)

    @Operation
    fun state(@Param(name = "key") k: Int): String? = harness.state(k)

    @Operation
    fun fetching(): Int = harness.fetching()
}

/**
 * Fetches, answers, invalidation, cancellation, removal and observers with the background work
 * run where the model checker chooses ([runPending], interleaved with the other operations at
 * every shared access, as a pool's threads would be), checked after every execution by
 * [FetchHarness.checkQuiescent]. Its operations return nothing: with background work in between,
 * which results a sequential order gives depends on how many tasks the coroutine library takes
 * for a step (a cancellation racing a resumption takes one more or one less), which no caller
 * can observe; what the cache holds once everything has run does not.
 */
@Param(name = "key", gen = IntGen::class, conf = "1:2")
@Param(name = "value", gen = IntGen::class, conf = "0:3")
class FetchQuiescenceOperations {
    private val harness = FetchHarness()

    @Operation
    fun runPending() = harness.runPending()

    @Operation
    fun answer(@Param(name = "key") k: Int, @Param(name = "value") v: Int) = harness.answer(k, v)

    @Operation
    fun fetch(@Param(name = "key") k: Int) = harness.fetch(k)

    @Operation
    fun set(@Param(name = "key") k: Int, @Param(name = "value") v: Int) {
        harness.set(k, v)
    }

    @Operation
    fun invalidate(@Param(name = "key") k: Int) = harness.invalidate(k)

    @Operation
    fun invalidateAll() = harness.invalidateAll()

    @Operation
    fun cancel(@Param(name = "key") k: Int) = harness.cancel(k)

    @Operation
    fun remove(@Param(name = "key") k: Int) = harness.remove(k)

    @Operation
    fun subscribe(@Param(name = "key") k: Int) = harness.subscribe(k)

    @Operation
    fun unsubscribe(@Param(name = "key") k: Int) = harness.unsubscribe(k)

    @Validate
    fun quiescent() = harness.checkQuiescent()
}

class FetchModelCheckSpec : FunSpec({
    test("the synchronous part of fetch, invalidate, cancel and remove is linearizable under the model checker") {
        modelCheckingOptions()
            .iterations(8)
            .invocationsPerIteration(100)
            // Besides the random scenarios: two fetches of one key starting at once (one run);
            .addCustomScenario {
                parallel {
                    thread { actor(FetchLinearizabilityOperations::fetch, 1) }
                    thread {
                        actor(FetchLinearizabilityOperations::fetch, 1); actor(FetchLinearizabilityOperations::fetching)
                    }
                }
                post { actor(FetchLinearizabilityOperations::state, 1) }
            }
            // a read racing the removal of a refetching query (found by the checker: the reader
            // returned the state the removal reverted the removed query to, which the key never showed);
            .addCustomScenario {
                initial {
                    actor(FetchLinearizabilityOperations::set, 1, 3); actor(FetchLinearizabilityOperations::fetch, 1)
                }
                parallel {
                    thread { actor(FetchLinearizabilityOperations::remove, 1) }
                    thread {
                        actor(FetchLinearizabilityOperations::state, 1); actor(FetchLinearizabilityOperations::fetching)
                    }
                }
            }
            // an invalidation by prefix racing a write and a cancellation.
            .addCustomScenario {
                initial { actor(FetchLinearizabilityOperations::fetch, 1) }
                parallel {
                    thread {
                        actor(
                            FetchLinearizabilityOperations::invalidateAll,
                        ); actor(FetchLinearizabilityOperations::state, 1)
                    }
                    thread {
                        actor(
                            FetchLinearizabilityOperations::set,
                            1,
                            3,
                        ); actor(FetchLinearizabilityOperations::cancel, 1)
                    }
                }
                post { actor(FetchLinearizabilityOperations::state, 1) }
            }
            .check(FetchLinearizabilityOperations::class)
    }

    test("fetches, answers, invalidation, cancellation, removal and observers leave a consistent cache") {
        modelCheckingOptions()
            .iterations(8)
            // Besides the random scenarios: two fetches of one key starting at once (one call, never two);
            .addCustomScenario {
                parallel {
                    thread { actor(FetchQuiescenceOperations::fetch, 1); actor(FetchQuiescenceOperations::runPending) }
                    thread { actor(FetchQuiescenceOperations::fetch, 1); actor(FetchQuiescenceOperations::runPending) }
                }
            }
            // an invalidation racing the answer of the fetch in flight;
            .addCustomScenario {
                initial { actor(FetchQuiescenceOperations::subscribe, 1); actor(FetchQuiescenceOperations::runPending) }
                parallel {
                    thread {
                        actor(FetchQuiescenceOperations::invalidate, 1); actor(FetchQuiescenceOperations::runPending)
                    }
                    thread {
                        actor(FetchQuiescenceOperations::answer, 1, 2); actor(FetchQuiescenceOperations::runPending)
                    }
                }
            }
            // a cancellation racing data written and the answer;
            .addCustomScenario {
                initial { actor(FetchQuiescenceOperations::fetch, 1); actor(FetchQuiescenceOperations::runPending) }
                parallel {
                    thread { actor(FetchQuiescenceOperations::set, 1, 3); actor(FetchQuiescenceOperations::cancel, 1) }
                    thread {
                        actor(FetchQuiescenceOperations::answer, 1, 2); actor(FetchQuiescenceOperations::runPending)
                    }
                }
            }
            // and the first model's unexplained report: an observed key removed while data is written.
            .addCustomScenario {
                initial { actor(FetchQuiescenceOperations::subscribe, 1); actor(FetchQuiescenceOperations::runPending) }
                parallel {
                    thread { actor(FetchQuiescenceOperations::set, 1, 3); actor(FetchQuiescenceOperations::runPending) }
                    thread {
                        actor(FetchQuiescenceOperations::remove, 1); actor(FetchQuiescenceOperations::invalidateAll)
                    }
                }
            }
            .check(FetchQuiescenceOperations::class)
    }
})
