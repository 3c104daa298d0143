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
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.atomic.AtomicInteger

/**
 * Three mutations of one client whose background work runs only when a model says so (as in
 * [FetchHarness]): mutations 0 and 1 share the scope `"line"`, mutation 2 has none. A mutation
 * function waits for the answer [answer] gives its line (index 0) or the unscoped mutation's
 * (index 1); answer 0 makes it throw.
 */
internal class MutationHarness {
    private val queue = QueuedDispatcher()
    private val dispatcher = queue.dispatcher
    val client = QueryClient(QueryClientConfig(coroutineContext = dispatcher))
    private val callers = CoroutineScope(SupervisorJob() + dispatcher)

    private val answers = Array(2) { Channel<Int>(Channel.UNLIMITED) }
    private val inLine = AtomicInteger()
    private val maxInLine = AtomicInteger()
    private val unscopedCalls = AtomicInteger()

    /** The line's calls, in order, each as (submitting thread, its submission number on that thread). */
    private val lineCalls = ConcurrentLinkedQueue<Pair<String, Int>>()
    private val submissions = ConcurrentHashMap<String, Int>()
    private val unfinished = Array(3) { AtomicInteger() }

    /** A run's variables: the operation's value, and where it was submitted (for the checks only). */
    private class Submission(val value: Int, val thread: String, val number: Int) {
        override fun toString() = value.toString()
    }

    private val mutations = Array(3) { m ->
        client.mutation(
            MutationOptions<Int, Submission, Unit>(
                mutationFn = { call(m, it) },
                mutationKey = queryKey("m", m),
                scope = if (m < 2) "line" else null,
            ),
        )
    }

    init {
        runPending() // the client's gc loop parks before the checker starts
    }

    private suspend fun call(m: Int, submission: Submission): Int {
        val scoped = m < 2
        if (scoped) {
            lineCalls += submission.thread to submission.number
            maxInLine.accumulateAndGet(inLine.incrementAndGet(), ::maxOf)
        } else {
            unscopedCalls.incrementAndGet()
        }
        try {
            val answer = answers[if (scoped) 0 else 1].receive()
            check(answer != 0) { "rejected" }
            return answer * 10 + submission.value
        } finally {
            if (scoped) inLine.decrementAndGet() else unscopedCalls.decrementAndGet()
        }
    }

    fun runPending() = queue.runPending()

    fun answer(line: Int, v: Int) {
        answers[line].trySend(v)
    }

    /** Calls `mutate` on mutation [m], from a caller coroutine started undispatched. */
    fun submit(m: Int, v: Int) {
        val thread = Thread.currentThread().name
        val number = submissions.merge(thread, 1, Int::plus)!!
        unfinished[m].incrementAndGet()
        callers.launch(start = CoroutineStart.UNDISPATCHED) {
            try {
                mutations[m].mutate(Submission(v, thread, number))
            } catch (_: Exception) {
                // a rejected run; the checks look at the counts and states
            } finally {
                unfinished[m].decrementAndGet()
            }
        }
    }

    fun reset(m: Int) = mutations[m].reset()

    fun state(m: Int): String = mutations[m].state.value.let {
        "${it.status} ${it.data} ${it.variables} error=${it.error?.message}"
    }

    fun mutating(): Int = client.isMutating()

    fun mutatingOne(m: Int): Int = client.isMutating(queryKey("m", m))

    /**
     * What must hold once the background work has all run: the line's function never ran twice at
     * once, and the runs one thread submitted to the line were called in the order it submitted
     * them; the line is never stuck (while it has runs left, its function is waiting for an
     * answer), nor is the unscoped mutation; `isMutating` counts exactly the runs not finished;
     * a mutation whose runs have all finished is not PENDING.
     */
    fun checkQuiescent() {
        runPending()
        check(maxInLine.get() <= 1) { "the line's function ran ${maxInLine.get()} times at once" }
        val last = HashMap<String, Int>()
        for ((thread, number) in lineCalls) {
            check(number > (last.put(thread, number) ?: -1)) { "$thread's runs were called out of order: $lineCalls" }
        }
        val lineLeft = unfinished[0].get() + unfinished[1].get()
        check((lineLeft > 0) == (inLine.get() == 1)) {
            "$lineLeft runs of the line left, ${inLine.get()} calls running"
        }
        check(unscopedCalls.get() == unfinished[2].get()) {
            "${unfinished[2].get()} unscoped runs left, ${unscopedCalls.get()} calls running"
        }
        check(mutating() == lineLeft + unfinished[2].get()) {
            "isMutating is ${mutating()}, $lineLeft + ${unfinished[2]} runs left"
        }
        for (m in 0..2) {
            check(mutatingOne(m) == unfinished[m].get()) {
                "isMutating(m$m) is ${mutatingOne(m)}, ${unfinished[m]} runs left"
            }
            check(unfinished[m].get() > 0 || !mutations[m].state.value.isPending) {
                "mutation $m is PENDING: ${state(m)}"
            }
        }
    }
}

/**
 * Submitting, resetting and reading mutations, with no background work ever running (runs wait
 * in line), checked for linearizability. The checker found a run PENDING before `isMutating`
 * counted it; its state and its count now change at one point.
 */
@Param(name = "mutation", gen = IntGen::class, conf = "0:2")
class MutationLinearizabilityOperations {
    private val harness = MutationHarness()

    @Operation
    fun submit(@Param(name = "mutation") m: Int, v: Int) = harness.submit(m, v)

    @Operation
    fun reset(@Param(name = "mutation") m: Int) = harness.reset(m)

    @Operation
    fun state(@Param(name = "mutation") m: Int): String = harness.state(m)

    @Operation
    fun mutating(): Int = harness.mutating()

    @Operation
    fun mutatingOne(@Param(name = "mutation") m: Int): Int = harness.mutatingOne(m)
}

/**
 * Submissions, answers and resets with the background work run where the model checker chooses,
 * checked after every execution by [MutationHarness.checkQuiescent] (its operations return
 * nothing, for the reason [FetchQuiescenceOperations] gives). The checker found two runs of one
 * scope at once: a run's lazy job was in the line, and the run after it, joining it, started it
 * before it had read the run before it.
 */
@Param(name = "mutation", gen = IntGen::class, conf = "0:2")
@Param(name = "value", gen = IntGen::class, conf = "0:3")
class MutationQuiescenceOperations {
    private val harness = MutationHarness()

    @Operation
    fun runPending() = harness.runPending()

    @Operation
    fun submit(@Param(name = "mutation") m: Int, @Param(name = "value") v: Int) = harness.submit(m, v)

    /** Answers the line's next call ([unscoped]: the unscoped mutation's) with [v]; 0 rejects it. */
    @Operation
    fun answer(@Param(name = "value") v: Int, unscoped: Boolean) = harness.answer(if (unscoped) 1 else 0, v)

    @Operation
    fun reset(@Param(name = "mutation") m: Int) = harness.reset(m)

    @Validate
    fun quiescent() = harness.checkQuiescent()
}

class MutationScopeModelCheckSpec : FunSpec({
    test("submitting and reading mutations is linearizable under the model checker") {
        modelCheckingOptions()
            .addCustomScenario {
                // the race the checker found: a run PENDING and not yet counted
                parallel {
                    thread { actor(MutationLinearizabilityOperations::submit, 2, 1) }
                    thread {
                        actor(MutationLinearizabilityOperations::state, 2)
                        actor(MutationLinearizabilityOperations::mutatingOne, 2)
                    }
                }
            }
            .check(MutationLinearizabilityOperations::class)
    }

    test("mutation scopes run one at a time, in submission order, and never stall, under the model checker") {
        modelCheckingOptions()
            // Besides the random scenarios: the race the checker found, a run started by the one
            // after it (which joined it) before it knew the run before it, so it did not wait;
            .addCustomScenario {
                initial {
                    actor(MutationQuiescenceOperations::submit, 0, 1); actor(MutationQuiescenceOperations::runPending)
                }
                parallel {
                    thread {
                        actor(
                            MutationQuiescenceOperations::submit,
                            1,
                            1,
                        ); actor(MutationQuiescenceOperations::runPending)
                    }
                    thread { actor(MutationQuiescenceOperations::submit, 1, 2) }
                }
            }
            // two runs of the line submitted at once, each then run;
            .addCustomScenario {
                parallel {
                    thread {
                        actor(
                            MutationQuiescenceOperations::submit,
                            0,
                            1,
                        ); actor(MutationQuiescenceOperations::runPending)
                    }
                    thread {
                        actor(
                            MutationQuiescenceOperations::submit,
                            1,
                            2,
                        ); actor(MutationQuiescenceOperations::runPending)
                    }
                }
            }
            // and a rejected run racing the next submission, the unscoped mutation beside it.
            .addCustomScenario {
                initial {
                    actor(MutationQuiescenceOperations::submit, 0, 1); actor(MutationQuiescenceOperations::runPending)
                }
                parallel {
                    thread {
                        actor(
                            MutationQuiescenceOperations::answer,
                            0,
                            false,
                        ); actor(MutationQuiescenceOperations::runPending)
                    }
                    thread {
                        actor(
                            MutationQuiescenceOperations::submit,
                            1,
                            2,
                        ); actor(MutationQuiescenceOperations::submit, 2, 3)
                    }
                }
            }
            .check(MutationQuiescenceOperations::class)
    }
})
