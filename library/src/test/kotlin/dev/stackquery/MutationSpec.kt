package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.joinAll
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withTimeout
import java.util.Collections
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

class MutationSpec : FunSpec({
    val key = queryKey("user", 1)

    test("a successful run calls onMutate, the function, onSuccess and onSettled in order with the context") {
        runTest {
            val client = testClient()
            val calls = mutableListOf<String>()
            val mutation = client.mutation(
                MutationOptions<String, Int, String>(
                    mutationFn = { v -> calls += "fn($v)"; "done-$v" },
                    onMutate = { v -> calls += "onMutate($v)"; "ctx-$v" },
                    onSuccess = { data, v, ctx -> calls += "onSuccess($data, $v, $ctx)" },
                    onError = { e, v, ctx -> calls += "onError(${e.message}, $v, $ctx)" },
                    onSettled = { data, e, v, ctx -> calls += "onSettled($data, $e, $v, $ctx)" },
                ),
            )
            mutation.mutate(7) shouldBe "done-7"
            calls shouldBe
                listOf("onMutate(7)", "fn(7)", "onSuccess(done-7, 7, ctx-7)", "onSettled(done-7, null, 7, ctx-7)")
            mutation.state.value.let {
                it.status shouldBe MutationStatus.SUCCESS
                it.data shouldBe "done-7"
                it.variables shouldBe 7
            }
            client.close()
        }
    }

    test("a run that fails after its retries calls onError and onSettled with the context, once") {
        runTest {
            val client = testClient()
            val calls = mutableListOf<String>()
            var attempts = 0
            val mutation = client.mutation(
                MutationOptions<String, Int, String>(
                    mutationFn = { attempts++; throw IllegalStateException("down $attempts") },
                    onMutate = { "ctx" },
                    onError = { e, v, ctx -> calls += "onError(${e.message}, $v, $ctx)" },
                    onSettled = { data, e, v, ctx -> calls += "onSettled($data, ${e?.message}, $v, $ctx)" },
                    retry = 2,
                    retryPolicy = RetryPolicy.fixed(1.seconds),
                ),
            )
            shouldThrow<IllegalStateException> { mutation.mutate(1) }.original().message shouldBe "down 3"
            attempts shouldBe 3
            currentTime shouldBe 2_000
            calls shouldBe listOf("onError(down 3, 1, ctx)", "onSettled(null, down 3, 1, ctx)")
            mutation.state.value.let {
                it.status shouldBe MutationStatus.ERROR
                it.failureCount shouldBe 3
                it.settledAt shouldBe 2_000
            }
            client.close()
        }
    }

    test("an onMutate failure ends the run in ERROR without running the function") {
        runTest {
            val client = testClient()
            var ran = false
            val errors = mutableListOf<String>()
            val mutation = client.mutation(
                MutationOptions<String, Int, String>(
                    mutationFn = { ran = true; "x" },
                    onMutate = { throw IllegalArgumentException("bad input") },
                    onError = { e, _, ctx -> errors += "${e.message}/$ctx" },
                ),
            )
            shouldThrow<IllegalArgumentException> { mutation.mutate(1) }
            ran shouldBe false
            errors shouldBe listOf("bad input/null")
            mutation.state.value.status shouldBe MutationStatus.ERROR
            client.close()
        }
    }

    test("exceptions from onSuccess and onSettled are logged and never re-run the function") {
        runTest {
            val client = testClient()
            var attempts = 0
            val mutation = client.mutation(
                MutationOptions<String, Int, Unit>(
                    mutationFn = { attempts++; "ok" },
                    onSuccess = { _, _, _ -> throw IllegalStateException("callback bug") },
                    onSettled = { _, _, _, _ -> throw IllegalStateException("callback bug") },
                    retry = 3,
                ),
            )
            mutation.mutate(1) shouldBe "ok"
            attempts shouldBe 1
            mutation.state.value.status shouldBe MutationStatus.SUCCESS
            client.close()
        }
    }

    test("the state goes IDLE, PENDING, SUCCESS, and reset puts it back to IDLE") {
        runTest {
            val client = testClient()
            val mutation = client.mutation(MutationOptions<String, Int, Unit>(mutationFn = { delay(100); "v$it" }))
            val seen = mutableListOf<String>()
            val subscription = mutation.subscribe { seen += "${it.status}/${it.data}/${it.variables}" }
            mutation.mutate(1)
            runCurrent()
            mutation.reset()
            runCurrent()
            seen shouldBe listOf("IDLE/null/null", "PENDING/null/1", "SUCCESS/v1/1", "IDLE/null/null")
            subscription.close()
            client.close()
        }
    }

    test("the optimistic update pattern: observers see the optimistic value, then the rollback") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val server = FakeFetcher(latency = 100.milliseconds) { "Ada" }
            val observer = client.watch(QueryOptions(key, { server() }))
            val seen = mutableListOf<String>()
            val subscription = observer.subscribe { seen += "${it.status}/${it.fetchStatus}/${it.data}" }
            advanceTimeBy(1.seconds)
            runCurrent()
            val rename = client.mutation(
                MutationOptions<String, String, String?>(
                    mutationFn = { delay(100); throw IllegalStateException("server refused") },
                    onMutate = { name ->
                        client.cancelQueries(key)
                        val previous = client.getQueryData<String>(key)
                        client.setQueryData(key, name)
                        previous
                    },
                    onError = { _, _, previous -> client.setQueryData(key, previous) },
                ),
            )
            shouldThrow<IllegalStateException> { rename.mutate("Grace") }
            runCurrent()
            seen shouldBe listOf(
                "PENDING/FETCHING/null",
                "SUCCESS/IDLE/Ada",
                "SUCCESS/IDLE/Grace",
                "SUCCESS/IDLE/Ada",
            )
            subscription.close()
            client.close()
        }
    }

    test("the optimistic value is replaced by the server's after success and invalidation") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            var serverName = "Ada"
            val observer = client.watch(QueryOptions(key, { delay(100); serverName }))
            val seen = mutableListOf<String>()
            val subscription = observer.subscribe {
                seen += "${it.fetchStatus}/${it.data}" + if (it.isInvalidated) "/invalidated" else ""
            }
            advanceTimeBy(1.seconds)
            runCurrent()
            val rename = client.mutation(
                MutationOptions<Unit, String, Unit>(
                    mutationFn = { name -> delay(100); serverName = name.uppercase() },
                    onMutate = { name -> client.setQueryData(key, name) },
                    invalidates = listOf(queryKey("user")),
                ),
            )
            rename.mutate("Grace")
            runCurrent()
            seen shouldBe listOf(
                "FETCHING/null",
                "IDLE/Ada",
                "IDLE/Grace",
                "IDLE/Grace/invalidated",
                "FETCHING/Grace/invalidated",
                "IDLE/GRACE",
            )
            subscription.close()
            client.close()
        }
    }

    test("mutations of one scope run one after another in submission order; others run in parallel") {
        runTest {
            val client = testClient()
            val log = mutableListOf<String>()
            fun options(scope: String?) = MutationOptions<Unit, String, Unit>(
                mutationFn = { name -> log += "start $name@$currentTime"; delay(100); log += "end $name@$currentTime" },
                scope = scope,
            )
            val serial = client.mutation(options("s"))
            val free = client.mutation(options(null))
            val runs = listOf(
                async { serial.mutate("a") },
                async { serial.mutate("b") },
                async { free.mutate("c") },
            )
            runCurrent()
            client.isMutating() shouldBe 3
            runs.forEach { it.await() }
            log shouldBe listOf("start a@0", "start c@0", "end a@100", "end c@100", "start b@100", "end b@200")
            client.isMutating() shouldBe 0
            client.close()
        }
    }

    test("isMutating counts running mutations by key prefix") {
        runTest {
            val client = testClient()
            val save = client.mutation(
                MutationOptions<Unit, Int, Unit>(mutationFn = {
                    delay(100)
                }, mutationKey = queryKey("user", "save")),
            )
            val other = client.mutation(MutationOptions<Unit, Int, Unit>(mutationFn = { delay(100) }))
            val runs = listOf(async { save.mutate(1) }, async { other.mutate(2) })
            runCurrent()
            client.isMutating(queryKey("user")) shouldBe 1
            client.isMutating() shouldBe 2
            runs.forEach { it.await() }
            client.isMutating(queryKey("user")) shouldBe 0
            client.close()
        }
    }

    test("concurrent runs of one mutation: each caller gets its result and the state follows the latest") {
        runTest {
            val client = testClient()
            val mutation = client.mutation(
                MutationOptions<String, Long, Unit>(mutationFn = { ms ->
                    delay(ms); "after $ms"
                }),
            )
            val slow = async { mutation.mutate(300) }
            runCurrent()
            val fast = async { mutation.mutate(100) }
            fast.await() shouldBe "after 100"
            mutation.state.value.data shouldBe "after 100"
            slow.await() shouldBe "after 300"
            mutation.state.value.data shouldBe "after 100" // the earlier run settling later does not win
            client.close()
        }
    }

    test("a cancelled caller stops waiting but the run completes") {
        runTest {
            val client = testClient()
            var applied = false
            val mutation = client.mutation(
                MutationOptions<Unit, Int, Unit>(mutationFn = {
                    delay(100); applied = true
                }),
            )
            val caller = async { mutation.mutate(1) }
            runCurrent()
            caller.cancel()
            advanceTimeBy(200)
            runCurrent()
            applied shouldBe true
            mutation.state.value.status shouldBe MutationStatus.SUCCESS
            client.close()
        }
    }

    test("a timeout inside a callback is logged and does not change a successful outcome") {
        runTest {
            val client = testClient()
            val mutation = client.mutation(
                MutationOptions<String, Int, Unit>(
                    mutationFn = { "ok" },
                    onSuccess = { _, _, _ -> withTimeout(1) { delay(1_000) } },
                ),
            )
            mutation.mutate(1) shouldBe "ok"
            mutation.state.value.status shouldBe MutationStatus.SUCCESS
            client.close()
        }
    }

    test("a timeout inside onMutate is a failure of the run, not a silent cancellation") {
        runTest {
            val client = testClient()
            val mutation = client.mutation(
                MutationOptions<String, Int, Unit>(mutationFn = {
                    "ok"
                }, onMutate = { withTimeout(1) { delay(1_000) } }),
            )
            val error = shouldThrow<IllegalStateException> { mutation.mutate(1) }.original()
            error.message shouldBe "onMutate threw a CancellationException"
            mutation.state.value.status shouldBe MutationStatus.ERROR
            client.close()
        }
    }

    test("runs of one scope keep submission order on a multi-threaded dispatcher") {
        val client = QueryClient(QueryClientConfig(coroutineContext = Dispatchers.Default))
        repeat(100) {
            val order = Collections.synchronizedList(mutableListOf<Int>())
            val mutation = client.mutation(
                MutationOptions<Int, Int, Unit>(mutationFn = {
                    order += it; it
                }, scope = "s"),
            )
            runBlocking {
                withTimeout(10_000) {
                    (0 until 8).map { i -> launch(Dispatchers.Unconfined) { mutation.mutate(i) } }.joinAll()
                }
            }
            order shouldBe (0 until 8).toList()
        }
        client.close()
    }

    test("closing the client cancels a run in progress, leaving it in ERROR, never PENDING") {
        runTest {
            val client = testClient()
            val mutation = client.mutation(MutationOptions<Unit, Int, Unit>(mutationFn = { delay(1_000) }))
            val caller = async { runCatching { mutation.mutate(1) } }
            runCurrent()
            client.close()
            runCurrent()
            caller.await().isFailure shouldBe true
            mutation.state.value.status shouldBe MutationStatus.ERROR
            shouldThrow<QueryClientClosedException> { mutation.mutate(2) }
        }
    }
})
