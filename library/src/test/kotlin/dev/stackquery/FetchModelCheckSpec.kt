package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import org.jetbrains.lincheck.datastructures.IntGen
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions
import org.jetbrains.lincheck.datastructures.Operation
import org.jetbrains.lincheck.datastructures.Param
import java.util.concurrent.ConcurrentLinkedDeque
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.Executor
import java.util.concurrent.atomic.AtomicReference
import kotlin.time.Duration

/**
 * Fetches, invalidation, cancellation, removal and observers of two keys, checked for
 * linearizability by Lincheck's model checker: every interleaving it explores must give results
 * some sequential order of the same operations gives.
 *
 * The client's dispatcher is a queue that [step] runs one task of, so the checker decides when
 * each piece of background work runs (a fetch starting, a query function resuming, a waiter
 * resuming): a task is what one thread of a real pool runs at a time. (An inline dispatcher, as
 * in an earlier version of this model, runs a cancelled fetch's completion inside the operation
 * that cancels it, under the query's monitor, which no real client does: the client rejects
 * unconfined dispatchers.) A query function waits for the answer [complete] or [fail] gives its
 * key, through a channel, so taking an answer is one atomic step and a fetch settles at a point
 * the checker chooses. Suspending operations (`fetchQuery`, `invalidateQueries`,
 * `cancelQueries`) start undispatched: their synchronous part runs inside the operation, what
 * follows a suspension in later steps. No operation waits for time: the clock is fixed, gc time
 * is infinite, retries are off.
 */
@Param(name = "key", gen = IntGen::class, conf = "1:2")
@Param(name = "value", gen = IntGen::class, conf = "1:3")
class FetchOperations {
    private val tasks = ConcurrentLinkedQueue<Runnable>()
    private val dispatcher = Executor { tasks.add(it) }.asCoroutineDispatcher()
    private val client = QueryClient(
        QueryClientConfig(
            gcTime = Duration.INFINITE,
            retry = 0,
            clock = QueryClock { 0L },
            coroutineContext = dispatcher,
        ),
    )
    private val callers = CoroutineScope(SupervisorJob() + dispatcher)

    /** What the query function of each key returns next (0: it throws), in order; it waits for one. */
    private val answers = Array(3) { Channel<Int>(Channel.UNLIMITED) }
    private val outcomes = Array(3) { AtomicReference<String>("none") }
    private val subscriptions = Array(3) { ConcurrentLinkedDeque<Subscription>() }

    init {
        // The client's gc loop parks on its wake-up channel; run it there before the checker starts.
        while (true) tasks.poll()?.run() ?: break
    }

    private fun key(k: Int) = queryKey("k", k)

    private fun options(k: Int) = QueryOptions(key(k), queryFn = {
        answers[k].receive().also { check(it != 0) { "boom" } }
    })

    /** Runs one task of the client's dispatcher; false when there was none. */
    @Operation
    fun step(): Boolean {
        val task = tasks.poll() ?: return false
        task.run()
        return true
    }

    /** The next call of the query function of [k] (the one waiting, if any) returns [v]. */
    @Operation
    fun complete(@Param(name = "key") k: Int, @Param(name = "value") v: Int) {
        answers[k].trySend(v)
    }

    /** The next call of the query function of [k] throws. */
    @Operation
    fun fail(@Param(name = "key") k: Int) {
        answers[k].trySend(0)
    }

    /** `fetchQuery`; its outcome, once it has one, is what [outcome] reads. */
    @Operation
    fun fetch(@Param(name = "key") k: Int) {
        callers.launch(start = CoroutineStart.UNDISPATCHED) {
            val outcome = try {
                client.fetchQuery(options(k)).toString()
            } catch (e: Exception) {
                e::class.simpleName ?: "exception"
            }
            outcomes[k].set(outcome)
        }
    }

    @Operation
    fun outcome(@Param(name = "key") k: Int): String = outcomes[k].get()

    @Operation
    fun set(@Param(name = "key") k: Int, @Param(name = "value") v: Int): Int = client.setQueryData(key(k), -v)

    @Operation
    fun invalidate(@Param(name = "key") k: Int) = suspending { client.invalidateQueries(QueryFilter.exact(key(k))) }

    @Operation
    fun invalidateAll() = suspending { client.invalidateQueries(queryKey("k")) }

    @Operation
    fun cancel(@Param(name = "key") k: Int) = suspending { client.cancelQueries(QueryFilter.exact(key(k))) }

    @Operation
    fun remove(@Param(name = "key") k: Int) = client.removeQueries(QueryFilter.exact(key(k)))

    /** Subscribes a listener to a new observer of [k] (its first state is delivered inline). */
    @Operation
    fun subscribe(@Param(name = "key") k: Int) {
        subscriptions[k].add(client.watch(options(k)).subscribe({}, Runnable::run))
    }

    /** Ends the latest subscription to [k], if any. */
    @Operation
    fun unsubscribe(@Param(name = "key") k: Int) {
        subscriptions[k].pollLast()?.unsubscribe()
    }

    @Operation
    fun state(@Param(name = "key") k: Int): String? = client.getQueryState<Int>(key(k))?.let {
        "${it.data} ${it.status} ${it.fetchStatus} invalidated=${it.isInvalidated} error=${it.error != null}"
    }

    @Operation
    fun fetching(): Int = client.isFetching(queryKey("k"))

    private fun suspending(block: suspend () -> Unit) {
        callers.launch(start = CoroutineStart.UNDISPATCHED) { block() }
    }
}

class FetchModelCheckSpec : FunSpec({
    test("fetch, invalidate, cancel, remove and observers are linearizable under the model checker") {
        ModelCheckingOptions()
            .iterations(10)
            .invocationsPerIteration(100)
            .threads(2)
            .actorsPerThread(3)
            .actorsBefore(3)
            .actorsAfter(2)
            .check(FetchOperations::class)
    }
})
