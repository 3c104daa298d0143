package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.UnconfinedTestDispatcher
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration
import kotlin.time.Duration.Companion.days
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** Every mutation event of [client], recorded as it is emitted (start it before acting). */
@OptIn(ExperimentalCoroutinesApi::class)
private fun TestScope.recordMutationEvents(client: QueryClient): List<MutationCacheEvent> {
    val events = mutableListOf<MutationCacheEvent>()
    backgroundScope.launch(UnconfinedTestDispatcher(testScheduler), start = CoroutineStart.UNDISPATCHED) {
        client.mutationEvents.collect { events += it }
    }
    return events
}

/** A client on the test's virtual clock with mutation settings. */
private fun TestScope.mutationClient(
    mutationGcTime: Duration = 5.minutes,
    callbacks: MutationCacheCallbacks = MutationCacheCallbacks.NONE,
): QueryClient = QueryClient(
    QueryClientConfig(
        retry = 0,
        clock = QueryClock { testScheduler.currentTime },
        coroutineContext = StandardTestDispatcher(testScheduler),
        mutationGcTime = mutationGcTime,
        mutationCacheCallbacks = callbacks,
    ),
)

/** `status/variables/submittedAt/settledAt/failureCount/context/failureReason` of a state. */
private fun MutationState<*, *>.brief(): String =
    "$status/$variables/$submittedAt/$settledAt/$failureCount/$context/${failureReason?.message}"

private fun MutationCacheEvent.brief(): String = when (this) {
    is MutationCacheEvent.Added -> "Added#$mutationId ${run.state.brief()}"
    is MutationCacheEvent.Updated -> "Updated#$mutationId ${state.brief()}"
    is MutationCacheEvent.Removed -> "Removed#$mutationId $cause ${run.state.brief()}"
}

private fun List<MutationRun>.brief(): List<String> = map { "#${it.mutationId} ${it.mutationKey} ${it.state.brief()}" }

class MutationCacheSpec : FunSpec({
    val save = queryKey("user", "save")
    val delete = queryKey("user", "delete")

    fun options(key: QueryKey?, ms: Long = 100, gcTime: Duration? = null, meta: Map<String, Any?> = emptyMap()) =
        MutationOptions<String, Int, Unit>(
            mutationFn = { v ->
                delay(ms)
                if (v < 0) throw IllegalStateException("refused $v")
                "done $v"
            },
            mutationKey = key,
            gcTime = gcTime,
            meta = meta,
        )

    test("mutations lists every run in submission order with its key, state, variables, submitted time and meta") {
        runTest {
            val client = mutationClient()
            val saving = client.mutation(options(save, ms = 100, meta = mapOf("toast" to "Saved")))
            val deleting = client.mutation(options(delete, ms = 300))
            val anonymous = client.mutation(options(null, ms = 50))
            val runs = listOf(async { saving.mutate(1) }, async { deleting.mutate(2) })
            runCurrent()
            advanceTimeBy(10)
            val third = async { runCatching { anonymous.mutate(-3) } }
            runCurrent()
            client.mutations().brief() shouldBe listOf(
                "#0 [\"user\",\"save\"] PENDING/1/0/0/0/null/null",
                "#1 [\"user\",\"delete\"] PENDING/2/0/0/0/null/null",
                "#2 null PENDING/-3/10/0/0/null/null",
            )
            val snapshot = client.mutations()
            runs.forEach { it.await() }
            third.await().isFailure shouldBe true
            snapshot[0].status shouldBe MutationStatus.PENDING // a snapshot is not updated afterwards
            client.mutations().brief() shouldBe listOf(
                "#0 [\"user\",\"save\"] SUCCESS/1/0/100/0/null/null",
                "#1 [\"user\",\"delete\"] SUCCESS/2/0/300/0/null/null",
                "#2 null ERROR/-3/10/60/1/null/refused -3",
            )
            client.mutations().first().let {
                it.meta shouldBe mapOf("toast" to "Saved")
                it.variables shouldBe 1
                it.submittedAt shouldBe 0
                it.scope shouldBe null
            }
            client.close()
        }
    }

    test("a mutation filter selects by key prefix, exact key, status and predicate") {
        runTest {
            val client = mutationClient()
            val saving = client.mutation(options(save))
            val savingDraft = client.mutation(options(queryKey("user", "save", "draft"), ms = 500))
            val other = client.mutation(options(queryKey("post"), ms = 50))
            val runs = listOf(
                async { runCatching { saving.mutate(1) } },
                async { runCatching { savingDraft.mutate(2) } },
                async { runCatching { other.mutate(-1) } },
            )
            settle(200.milliseconds)
            fun ids(filter: MutationFilter) = client.mutations(filter).map { it.mutationId }
            ids(MutationFilter.ALL) shouldBe listOf(0L, 1L, 2L)
            ids(MutationFilter.prefix(queryKey("user"))) shouldBe listOf(0L, 1L)
            ids(MutationFilter.exact(save)) shouldBe listOf(0L)
            ids(MutationFilter(status = MutationStatus.PENDING)) shouldBe listOf(1L)
            ids(MutationFilter(status = MutationStatus.ERROR)) shouldBe listOf(2L)
            ids(MutationFilter(queryKey("user"), status = MutationStatus.SUCCESS)) shouldBe listOf(0L)
            ids(MutationFilter(predicate = { it.variables == 2 })) shouldBe listOf(1L)
            ids(MutationFilter(queryKey("nothing"))) shouldBe emptyList()
            client.mutations(MutationFilter(queryKey("user"))) shouldBe
                client.mutations(MutationFilter.prefix(queryKey("user")))
            runs[1].await()
            client.close()
        }
    }

    test("isMutating with a filter counts only runs in progress, whatever status the filter names") {
        runTest {
            val client = mutationClient()
            val saving = client.mutation(options(save, ms = 100))
            val deleting = client.mutation(options(delete, ms = 300))
            val runs = listOf(async { saving.mutate(1) }, async { deleting.mutate(2) }, async { saving.mutate(3) })
            runCurrent()
            client.isMutating(MutationFilter.ALL) shouldBe 3
            client.isMutating(MutationFilter.exact(save)) shouldBe 2
            client.isMutating(MutationFilter(save, predicate = { it.variables == 3 })) shouldBe 1
            client.isMutating(MutationFilter(save, status = MutationStatus.SUCCESS)) shouldBe 2
            settle(200.milliseconds)
            client.isMutating(MutationFilter(queryKey("user"))) shouldBe 1
            client.isMutating(queryKey("user")) shouldBe 1 // the prefix overload agrees
            client.isMutating(MutationFilter.exact(save)) shouldBe 0
            runs.forEach { it.await() }
            client.isMutating(MutationFilter.ALL) shouldBe 0
            client.close()
        }
    }

    test("a settled run stays for the client's mutationGcTime after settling, then is removed") {
        runTest {
            val client = mutationClient(mutationGcTime = 10.seconds)
            val events = recordMutationEvents(client)
            val saving = client.mutation(options(save, ms = 100))
            saving.mutate(1)
            currentTimeIs(100)
            advanceTimeBy(9_999)
            runCurrent()
            client.mutations().map { it.mutationId } shouldBe listOf(0L)
            advanceTimeBy(1)
            runCurrent()
            client.mutations() shouldBe emptyList()
            events.map { it.brief() }.last() shouldBe "Removed#0 GC SUCCESS/1/0/100/0/null/null"
            saving.state.value.status shouldBe MutationStatus.SUCCESS // the Mutation keeps showing its latest run
            client.close()
        }
    }

    test("the client's default mutation gcTime is five minutes, as TanStack's") {
        runTest {
            QueryClientConfig().mutationGcTime shouldBe 5.minutes
            val client = mutationClient()
            client.mutation(options(save, ms = 0)).mutate(1)
            settle(5.minutes - 1.milliseconds)
            client.mutations().size shouldBe 1
            settle(1.milliseconds)
            client.mutations().size shouldBe 0
            client.close()
        }
    }

    test("a mutation's own gcTime wins over the client's; zero removes the run as it settles; infinite keeps it") {
        runTest {
            val client = mutationClient(mutationGcTime = 10.seconds)
            val events = recordMutationEvents(client)
            client.mutation(options(save, ms = 0, gcTime = 1.seconds)).mutate(1)
            client.mutation(options(delete, ms = 0, gcTime = Duration.ZERO)).mutate(2)
            client.mutation(options(null, ms = 0, gcTime = Duration.INFINITE)).mutate(3)
            client.mutations().map { it.mutationId } shouldBe listOf(0L, 2L)
            events.filterIsInstance<MutationCacheEvent.Removed>().map { it.brief() } shouldBe
                listOf("Removed#1 GC SUCCESS/2/0/0/0/null/null")
            settle(1.seconds)
            client.mutations().map { it.mutationId } shouldBe listOf(2L)
            settle(1.minutes)
            client.mutations().map { it.mutationId } shouldBe listOf(2L)
            client.close()
        }
    }

    test("a run in progress is never removed, however long it runs; its gcTime counts from settling") {
        runTest {
            val client = mutationClient()
            val slow = client.mutation(options(save, ms = 60_000, gcTime = 1.seconds))
            val run = async { slow.mutate(1) }
            settle(59.seconds)
            client.mutations().map { it.status } shouldBe listOf(MutationStatus.PENDING)
            run.await() shouldBe "done 1"
            settle(999.milliseconds)
            client.mutations().map { it.status } shouldBe listOf(MutationStatus.SUCCESS)
            settle(1.milliseconds)
            client.mutations() shouldBe emptyList()
            client.close()
        }
    }

    test("mutation events: added, updated at each change (context, failed attempt, settling), removed, in order") {
        runTest {
            val client = mutationClient(mutationGcTime = 10.seconds)
            val events = recordMutationEvents(client)
            var attempts = 0
            val mutation = client.mutation(
                MutationOptions<String, Int, String>(
                    mutationFn = { v ->
                        delay(100)
                        if (++attempts == 1) throw IllegalStateException("flaky")
                        "done $v"
                    },
                    onMutate = { v -> "ctx $v" },
                    retry = 1,
                    retryPolicy = RetryPolicy.fixed(1.seconds),
                    mutationKey = save,
                ),
            )
            mutation.mutate(7) shouldBe "done 7"
            settle(10.seconds)
            events.map { it.brief() } shouldBe listOf(
                "Added#0 PENDING/7/0/0/0/null/null",
                "Updated#0 PENDING/7/0/0/0/ctx 7/null",
                "Updated#0 PENDING/7/0/0/1/ctx 7/flaky",
                "Updated#0 SUCCESS/7/0/1200/1/ctx 7/null",
                "Removed#0 GC SUCCESS/7/0/1200/1/ctx 7/null",
            )
            events.map { it.mutationKey }.distinct() shouldBe listOf(save)
            client.close()
        }
    }

    test("the mutation's state carries the onMutate context and the failure reason, kept while retrying") {
        runTest {
            val client = mutationClient()
            val mutation = client.mutation(
                MutationOptions<String, Int, String>(
                    mutationFn = { v -> delay(100); throw IllegalStateException("down $v") },
                    onMutate = { v -> "ctx $v" },
                    retry = 2,
                    retryPolicy = RetryPolicy.fixed(1.seconds),
                ),
            )
            val seen = mutableListOf<String>()
            val subscription = mutation.subscribe { seen += it.brief() }
            val error = shouldThrow<IllegalStateException> { mutation.mutate(1) }
            runCurrent()
            seen shouldBe listOf(
                "IDLE/null/0/0/0/null/null",
                "PENDING/1/0/0/0/null/null",
                "PENDING/1/0/0/0/ctx 1/null",
                "PENDING/1/0/0/1/ctx 1/down 1",
                "PENDING/1/0/0/2/ctx 1/down 1",
                "ERROR/1/0/2300/3/ctx 1/down 1",
            )
            mutation.state.value.failureReason shouldBe mutation.state.value.error
            mutation.state.value.error shouldBe error
            subscription.close()
            client.close()
        }
    }

    test("a success clears the failure reason of earlier attempts") {
        runTest {
            val client = mutationClient()
            var attempts = 0
            val mutation = client.mutation(
                MutationOptions<String, Int, Unit>(
                    mutationFn = { if (++attempts < 3) throw IllegalStateException("try $attempts") else "ok" },
                    retry = 2,
                    retryPolicy = RetryPolicy.fixed(1.seconds),
                ),
            )
            val seen = mutableListOf<String>()
            val subscription = mutation.subscribe { seen += it.brief() }
            mutation.mutate(1) shouldBe "ok"
            runCurrent()
            seen shouldBe listOf(
                "IDLE/null/0/0/0/null/null",
                "PENDING/1/0/0/0/null/null",
                "PENDING/1/0/0/1/null/try 1",
                "PENDING/1/0/0/2/null/try 2",
                "SUCCESS/1/0/2000/2/null/null",
            )
            subscription.close()
            client.close()
        }
    }

    test("per-call callbacks run after the options' callbacks, once the run settled, on success and on failure") {
        runTest {
            val client = mutationClient()
            val log = mutableListOf<String>()
            lateinit var mutation: Mutation<String, Int>
            mutation = client.mutation(
                MutationOptions<String, Int, String>(
                    mutationFn = { v -> delay(100); if (v < 0) throw IllegalStateException("refused") else "done $v" },
                    onMutate = { v -> "ctx $v" },
                    onSuccess = { d, _, _ -> log += "options onSuccess $d" },
                    onError = { e, _, _ -> log += "options onError ${e.message}" },
                    onSettled = { _, _, _, _ -> log += "options onSettled" },
                ),
            )
            val result = mutation.mutate(
                1,
                onSuccess = { d, v, c ->
                    log += "call onSuccess $d $v $c ${mutation.state.value.status} mutating=${client.isMutating()}"
                },
                onError = { _, _, _ -> log += "call onError" },
                onSettled = { d, e, v, c -> log += "call onSettled $d $e $v $c" },
            )
            log += "returned $result"
            shouldThrow<IllegalStateException> {
                mutation.mutate(
                    -1,
                    onSuccess = { _, _, _ -> log += "call onSuccess" },
                    onError = { e, v, c -> log += "call onError ${e.message} $v $c ${mutation.state.value.status}" },
                    onSettled = { d, e, v, c -> log += "call onSettled $d ${e?.message} $v $c" },
                )
            }
            log shouldBe listOf(
                "options onSuccess done 1",
                "options onSettled",
                "call onSuccess done 1 1 ctx 1 SUCCESS mutating=0",
                "call onSettled done 1 null 1 ctx 1",
                "returned done 1",
                "options onError refused",
                "options onSettled",
                "call onError refused -1 ctx -1 ERROR",
                "call onSettled null refused -1 ctx -1",
            )
            client.close()
        }
    }

    test("overlapping calls of one mutation each run their own per-call callbacks, the earlier ones included") {
        runTest {
            val client = mutationClient()
            val log = mutableListOf<String>()
            val mutation = client.mutation(
                MutationOptions<String, Long, Unit>(mutationFn = { ms ->
                    delay(ms); "after $ms"
                }),
            )
            val slow = async { mutation.mutate(300, onSuccess = { d, _, _ -> log += "slow: $d" }) }
            runCurrent()
            val fast = async { mutation.mutate(100, onSuccess = { d, _, _ -> log += "fast: $d" }) }
            fast.await()
            slow.await()
            log shouldBe listOf("fast: after 100", "slow: after 300")
            mutation.state.value.data shouldBe "after 100" // the state is still last-wins
            client.close()
        }
    }

    test("a per-call callback can run and await the next mutation of its own scope: the settled run left the line") {
        runTest {
            val client = mutationClient()
            val log = mutableListOf<String>()
            val mutation = client.mutation(
                MutationOptions<String, Int, Unit>(mutationFn = { v ->
                    delay(100); "saved $v"
                }, scope = "user"),
            )
            val first = async { mutation.mutate(1, onSuccess = { _, _, _ -> log += mutation.mutate(2) }) }
            settle(10.seconds)
            first.isCompleted shouldBe true
            first.await() shouldBe "saved 1"
            log shouldBe listOf("saved 2")
            client.isMutating() shouldBe 0
            client.close()
        }
    }

    test("a throwing per-call callback does not change the result, the state, or the callbacks after it") {
        runTest {
            val client = mutationClient()
            val log = mutableListOf<String>()
            val mutation = client.mutation(MutationOptions<String, Int, Unit>(mutationFn = { "ok $it" }))
            mutation.mutate(
                1,
                onSuccess = { _, _, _ -> throw IllegalStateException("callback bug") },
                onSettled = { d, e, _, _ -> log += "settled $d $e" },
            ) shouldBe "ok 1"
            log shouldBe listOf("settled ok 1 null")
            mutation.state.value.status shouldBe MutationStatus.SUCCESS
            val failing = client.mutation(MutationOptions<String, Int, Unit>(mutationFn = { error("refused") }))
            val error = shouldThrow<IllegalStateException> {
                failing.mutate(2, onError = { _, _, _ -> throw IllegalArgumentException("callback bug") })
            }
            error.message shouldBe "refused"
            failing.state.value.error shouldBe error
            client.close()
        }
    }

    test("cache-wide callbacks run for every run, each just before the options' callback of its kind") {
        runTest {
            val log = mutableListOf<String>()
            val client = mutationClient(
                callbacks = MutationCacheCallbacks(
                    onMutate = { v, run -> log += "cache onMutate $v ${run.mutationKey} ${run.meta}" },
                    onSuccess = { d, v, c, run -> log += "cache onSuccess $d $v $c ${run.state.context}" },
                    onError = { e, v, c, run -> log += "cache onError ${e.message} $v $c #${run.mutationId}" },
                    onSettled = { d, e, v, c, _ -> log += "cache onSettled $d ${e?.message} $v $c" },
                ),
            )
            val mutation = client.mutation(
                MutationOptions<String, Int, String>(
                    mutationFn = { v -> if (v < 0) throw IllegalStateException("refused") else "done $v" },
                    onMutate = { v -> log += "options onMutate"; "ctx $v" },
                    onSuccess = { _, _, _ -> log += "options onSuccess" },
                    onError = { _, _, _ -> log += "options onError" },
                    onSettled = { _, _, _, _ -> log += "options onSettled" },
                    mutationKey = save,
                    meta = mapOf("action" to "save"),
                ),
            )
            mutation.mutate(1, onSuccess = { _, _, _ -> log += "call onSuccess" })
            runCatching { mutation.mutate(-1, onError = { _, _, _ -> log += "call onError" }) }
            log shouldBe listOf(
                "cache onMutate 1 [\"user\",\"save\"] {action=save}",
                "options onMutate",
                "cache onSuccess done 1 1 ctx 1 ctx 1",
                "options onSuccess",
                "cache onSettled done 1 null 1 ctx 1",
                "options onSettled",
                "call onSuccess",
                "cache onMutate -1 [\"user\",\"save\"] {action=save}",
                "options onMutate",
                "cache onError refused -1 ctx -1 #1",
                "options onError",
                "cache onSettled null refused -1 ctx -1",
                "options onSettled",
                "call onError",
            )
            client.close()
        }
    }

    test("exceptions thrown by cache-wide callbacks are logged and never change the outcome") {
        runTest {
            val log = mutableListOf<String>()
            val client = mutationClient(
                callbacks = MutationCacheCallbacks(
                    onMutate = { _, _ -> throw IllegalStateException("cache onMutate bug") },
                    onSuccess = { _, _, _, _ -> throw IllegalStateException("cache onSuccess bug") },
                    onError = { _, _, _, _ -> throw IllegalStateException("cache onError bug") },
                    onSettled = { _, _, _, _, _ -> throw IllegalStateException("cache onSettled bug") },
                ),
            )
            var attempts = 0
            val mutation = client.mutation(
                MutationOptions<String, Int, String>(
                    mutationFn = { v ->
                        attempts++; if (v <
                            0
                        ) {
                            throw IllegalArgumentException("refused")
                        } else {
                            "done $v"
                        }
                    },
                    onMutate = { v -> "ctx $v" },
                    onSuccess = { _, _, c -> log += "options onSuccess $c" },
                    onError = { e, _, c -> log += "options onError ${e.message} $c" },
                    onSettled = { _, _, _, _ -> log += "options onSettled" },
                    retry = 2,
                ),
            )
            mutation.mutate(1) shouldBe "done 1"
            mutation.state.value.status shouldBe MutationStatus.SUCCESS
            shouldThrow<IllegalArgumentException> { mutation.mutate(-1) }.message shouldBe "refused"
            attempts shouldBe 1 + 3
            log shouldBe listOf(
                "options onSuccess ctx 1",
                "options onSettled",
                "options onError refused ctx -1",
                "options onSettled",
            )
            mutation.state.value.error?.message shouldBe "refused"
            client.close()
        }
    }

    test("clear removes the settled runs and keeps the runs in progress; close removes every run") {
        runTest {
            val client = mutationClient()
            val events = recordMutationEvents(client)
            val quick = client.mutation(options(save, ms = 10))
            val slow = client.mutation(options(delete, ms = 10_000))
            quick.mutate(1)
            val running = async { runCatching { slow.mutate(2) } }
            runCurrent()
            client.clear()
            client.mutations().map { it.mutationId to it.status } shouldBe listOf(1L to MutationStatus.PENDING)
            client.isMutating() shouldBe 1
            client.close()
            runCurrent()
            running.await().isFailure shouldBe true
            client.mutations() shouldBe emptyList()
            client.isMutating() shouldBe 0
            events.filterIsInstance<MutationCacheEvent.Removed>().map {
                "#${it.mutationId} ${it.cause} ${it.run.status}"
            } shouldBe
                listOf("#0 EXPLICIT SUCCESS", "#1 CLOSED ERROR")
        }
    }

    test("clear ends the gc timers of the runs it removes: nothing holds them until their gcTime is up") {
        runTest {
            val client = mutationClient(mutationGcTime = 1.days)
            val background = client.engine.runtime.job
            val before = background.children.count()
            val mutation = client.mutation(options(save, ms = 10))
            repeat(3) { mutation.mutate(it) }
            background.children.count() shouldBe before + 3 // one gc timer per settled run
            client.clear()
            runCurrent()
            client.mutations() shouldBe emptyList()
            background.children.count() shouldBe before
            client.close()
        }
    }

    test(
        "a mutation event listener gets every event in order; its exceptions do not stop delivery; unsubscribing does",
    ) {
        runTest {
            val client = mutationClient()
            val seen = mutableListOf<String>()
            val subscription = client.subscribeMutationEvents({ event ->
                seen += event.brief()
                if (event is MutationCacheEvent.Added) throw IllegalStateException("listener bug")
            })
            val mutation = client.mutation(options(save, ms = 100, gcTime = 1.seconds))
            mutation.mutate(1)
            settle(1.seconds)
            seen shouldBe listOf(
                "Added#0 PENDING/1/0/0/0/null/null",
                "Updated#0 SUCCESS/1/0/100/0/null/null",
                "Removed#0 GC SUCCESS/1/0/100/0/null/null",
            )
            subscription.isSubscribed shouldBe true
            subscription.unsubscribe()
            subscription.isSubscribed shouldBe false
            mutation.mutate(2)
            runCurrent()
            seen.size shouldBe 3
            client.close()
        }
    }

    test("reset puts the mutation back to IDLE but leaves its runs in the cache") {
        runTest {
            val client = mutationClient()
            val mutation = client.mutation(options(save, ms = 0))
            mutation.mutate(1)
            mutation.reset()
            mutation.state.value.status shouldBe MutationStatus.IDLE
            client.mutations().map { it.status } shouldBe listOf(MutationStatus.SUCCESS)
            client.close()
        }
    }

    test("invalid mutation gcTimes are rejected, naming the field") {
        shouldThrow<IllegalArgumentException> { QueryClientConfig(mutationGcTime = (-1).seconds) }.message shouldBe
            "mutationGcTime must not be negative, was -1s"
        shouldThrow<IllegalArgumentException> {
            MutationOptions<Unit, Unit, Unit>(mutationFn = {}, gcTime = (-1).seconds)
        }.message shouldBe "gcTime must not be negative, was -1s"
    }
})

private fun TestScope.currentTimeIs(expected: Long) {
    testScheduler.currentTime shouldBe expected
}
