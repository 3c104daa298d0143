package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.UnconfinedTestDispatcher
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withTimeout
import kotlin.concurrent.thread
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** Regressions for failure modes found in review: locks around user code, leaks, foreign cancellation. */
class RobustnessSpec : FunSpec({
    val key = queryKey("k")

    /** Runs [block] on another thread and reports whether it finished (it would block on a held lock). */
    fun finishesOnAnotherThread(block: () -> Unit): Boolean {
        val other = thread { block() }
        other.join(10_000)
        return !other.isAlive
    }

    test("an updater runs outside every lock, so another thread can clear the cache meanwhile") {
        runTest {
            val client = testClient()
            client.setQueryData(key, 1)
            client.setQueryData<Int>(key) { old ->
                finishesOnAnotherThread { client.setQueryData(queryKey("other"), 2) } shouldBe true
                (old ?: 0) + 1
            }
            client.setQueryData<Int>(queryKey("missing")) { old ->
                finishesOnAnotherThread { client.clear() } shouldBe true
                (old ?: 0) + 1
            }
            client.close()
        }
    }

    test("an updater that lost a race runs again on the newer data") {
        runTest {
            val client = testClient()
            client.setQueryData(key, 10)
            val seen = mutableListOf<Int?>()
            client.setQueryData<Int>(key) { old ->
                seen += old
                if (seen.size == 1) client.setQueryData(key, 20) // a concurrent write wins the race
                old!! + 1
            } shouldBe 21
            seen shouldBe listOf(10, 20)
            client.close()
        }
    }

    test("the gc queue holds only the queries that are scheduled, whatever the churn") {
        runTest {
            val client = testClient(cacheMaxSize = 10)
            repeat(10_000) { client.setQueryData(queryKey("item", it), it) }
            client.engine.store.size shouldBe 10
            client.engine.store.gc.scheduledCount shouldBe 10

            val hot = QueryOptions(queryKey("hot"), { "v" })
            repeat(1_000) {
                client.fetchQuery(hot)
                runCurrent()
            }
            client.engine.store.gc.scheduledCount shouldBe 10 // one entry per inactive query, none stale
            client.close()
        }
    }

    test("a full cache scans for eviction candidates about once per sixteenth of its size") {
        runTest {
            val client = testClient(cacheMaxSize = 1_000)
            repeat(1_000) { client.setQueryData(queryKey("item", it), it) }
            val before = client.engine.store.evictionScans
            repeat(2_000) { client.setQueryData(queryKey("new", it), it) }
            client.engine.store.size shouldBe 1_000
            client.stats().evictions shouldBe 2_000
            (client.engine.store.evictionScans - before) shouldBeLessThanOrEqual 2_000 / (1_000 / 16) + 1
            client.close()
        }
    }

    test("a gcTime of zero collects a query once its fetch settled, and the fetch still returns") {
        runTest {
            val client = testClient(gcTime = Duration.ZERO)
            client.fetchQuery(QueryOptions(key, { "data" })) shouldBe "data"
            runCurrent()
            client.getQueryState<String>(key) shouldBe null
            client.stats().gcRemovals shouldBe 1
            client.close()
        }
    }

    test("an unconfined dispatcher is rejected, naming the field") {
        runTest {
            shouldThrow<IllegalArgumentException> {
                QueryClientConfig(coroutineContext = Dispatchers.Unconfined)
            }.message shouldContain "coroutineContext"
            shouldThrow<IllegalArgumentException> {
                QueryClientConfig(coroutineContext = UnconfinedTestDispatcher(testScheduler))
            }.message shouldContain "coroutineContext"
        }
    }

    test("cancelling the parent Job closes the client") {
        runTest {
            val parent = Job()
            val client = QueryClient(
                QueryClientConfig(
                    clock = QueryClock { testScheduler.currentTime },
                    coroutineContext = StandardTestDispatcher(testScheduler) + parent,
                ),
            )
            client.setQueryData(key, 1)
            parent.cancel()
            runCurrent()
            shouldThrow<QueryClientClosedException> { client.fetchQuery(QueryOptions(queryKey("new"), { 2 })) }
            client.getQueryData<Int>(key) shouldBe null
        }
    }

    test("a CancellationException thrown by a query function that was not cancelled is a failure, not a cancellation") {
        runTest {
            val client = testClient()
            val options = QueryOptions<String>(key, { withTimeout(10.milliseconds) { delay(1.seconds); "late" } })
            val error = shouldThrow<IllegalStateException> { client.fetchQuery(options) }.original()
            error.message shouldContain "CancellationException"
            error.cause.shouldBeInstanceOf<kotlinx.coroutines.TimeoutCancellationException>()
            client.getQueryState<String>(key)!!.isError shouldBe true
            client.close()
        }
    }

    test("an Error thrown by a callback is logged and does not fail the settled fetch") {
        runTest {
            val client = testClient()
            val options = QueryOptions(key, { "data" }, onSuccess = { throw NotImplementedError("callback") })
            client.fetchQuery(options) shouldBe "data"
            client.getQueryState<String>(key)!!.isSuccess shouldBe true
            client.close()
        }
    }

    test("the segments of a key cannot be modified") {
        val segments = queryKey("user", 1).segments
        shouldThrow<UnsupportedOperationException> {
            @Suppress("UNCHECKED_CAST")
            (segments as MutableList<Any>)[0] = "admin"
        }
    }
})
