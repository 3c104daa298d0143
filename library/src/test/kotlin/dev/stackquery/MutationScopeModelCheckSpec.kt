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
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.Executor
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicReference

/**
 * Mutation scopes, checked for linearizability by Lincheck's model checker: two mutations share
 * the scope `"line"` and a third has none. Every interleaving must give what some sequential
 * order gives, which here means: the runs of the scope call their function one at a time
 * ([overlap] never exceeds 1) and in the order they were submitted ([started]), a failed run
 * does not stop the line, the unscoped mutation never waits for it, and `isMutating` counts
 * every run from its submission (waiting included) to its end.
 *
 * As in [FetchOperations], the client's dispatcher is a queue that [step] runs one task of, and a
 * mutation function waits for the answer [release] or [reject] gives its line.
 */
@Param(name = "mutation", gen = IntGen::class, conf = "0:2")
@Param(name = "value", gen = IntGen::class, conf = "1:3")
class MutationScopeOperations {
    private val tasks = ConcurrentLinkedQueue<Runnable>()
    private val dispatcher = Executor { tasks.add(it) }.asCoroutineDispatcher()
    private val client = QueryClient(QueryClientConfig(coroutineContext = dispatcher))
    private val callers = CoroutineScope(SupervisorJob() + dispatcher)

    /** Answers for the scoped line (index 0) and for the unscoped mutation (index 1); 0: throw. */
    private val answers = Array(2) { Channel<Int>(Channel.UNLIMITED) }
    private val calls = ConcurrentLinkedQueue<String>()
    private val inLine = AtomicInteger()
    private val maxInLine = AtomicInteger()
    private val outcomes = Array(3) { AtomicReference("none") }

    private val mutations = Array(3) { m ->
        client.mutation(
            MutationOptions<Int, Int, Unit>(
                mutationFn = { v -> call(m, v) },
                mutationKey = queryKey("m", m),
                scope = if (m < 2) "line" else null,
            ),
        )
    }

    init {
        while (true) tasks.poll()?.run() ?: break // the client's gc loop parks before the checker starts
    }

    private suspend fun call(m: Int, v: Int): Int {
        calls += "$m:$v"
        val scoped = m < 2
        if (scoped) maxInLine.accumulateAndGet(inLine.incrementAndGet(), ::maxOf)
        try {
            val answer = answers[if (scoped) 0 else 1].receive()
            check(answer != 0) { "rejected" }
            return answer * 10 + v
        } finally {
            if (scoped) inLine.decrementAndGet()
        }
    }

    @Operation
    fun step(): Boolean {
        val task = tasks.poll() ?: return false
        task.run()
        return true
    }

    /** Calls `mutate(v)` on mutation [m]; its outcome, once it has one, is what [outcome] reads. */
    @Operation
    fun submit(@Param(name = "mutation") m: Int, @Param(name = "value") v: Int) {
        callers.launch(start = CoroutineStart.UNDISPATCHED) {
            val outcome = try {
                mutations[m].mutate(v).toString()
            } catch (e: Exception) {
                e.message ?: e::class.simpleName ?: "exception"
            }
            outcomes[m].set(outcome)
        }
    }

    /** The next call of the line's function (the one waiting, if any) returns; [unscoped]: the other one's. */
    @Operation
    fun release(@Param(name = "value") v: Int, unscoped: Boolean) {
        answers[if (unscoped) 1 else 0].trySend(v)
    }

    /** The next call of the line's function throws. */
    @Operation
    fun reject() {
        answers[0].trySend(0)
    }

    @Operation
    fun reset(@Param(name = "mutation") m: Int) = mutations[m].reset()

    @Operation
    fun outcome(@Param(name = "mutation") m: Int): String = outcomes[m].get()

    /** The calls of the mutation functions so far, in order: `mutation:variables`. */
    @Operation
    fun started(): String = calls.joinToString()

    /** The most calls of the line's function in progress at once so far. */
    @Operation
    fun overlap(): Int = maxInLine.get()

    @Operation
    fun mutating(): Int = client.isMutating()

    @Operation
    fun mutatingOne(@Param(name = "mutation") m: Int): Int = client.isMutating(queryKey("m", m))

    @Operation
    fun state(@Param(name = "mutation") m: Int): String = mutations[m].state.value.let {
        "${it.status} ${it.data} ${it.variables} error=${it.error?.message}"
    }
}

class MutationScopeModelCheckSpec : FunSpec({
    test("mutation scopes run one at a time, in submission order, under the model checker") {
        ModelCheckingOptions()
            .iterations(10)
            .invocationsPerIteration(100)
            .threads(2)
            .actorsPerThread(3)
            .actorsBefore(3)
            .actorsAfter(2)
            .check(MutationScopeOperations::class)
    }
})
