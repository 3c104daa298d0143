package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

class RetrySpec : FunSpec({
    val key = queryKey("flaky")

    /** A query function failing the first [failures] calls, recording the virtual time of each call. */
    class Flaky(private val failures: Int, private val now: () -> Long) {
        val callTimes = mutableListOf<Long>()

        suspend fun call(): String {
            callTimes += now()
            if (callTimes.size <= failures) throw IllegalStateException("failure ${callTimes.size}")
            return "ok after ${callTimes.size}"
        }
    }

    test("the default policy retries three times waiting 1s, 2s and 4s in between") {
        runTest {
            val client = testClient(retry = 3)
            val flaky = Flaky(failures = 3) { currentTime }
            client.fetchQuery(QueryOptions(key, flaky::call)) shouldBe "ok after 4"
            flaky.callTimes shouldBe listOf(0L, 1_000L, 3_000L, 7_000L)
            client.stats().retries shouldBe 3
            client.getQueryState<String>(key)!!.brief() shouldBe "SUCCESS/IDLE/ok after 4/0"
            client.close()
        }
    }

    test("retry plus one attempts are made before the last error is thrown") {
        runTest {
            val client = testClient(retry = 2, retryPolicy = RetryPolicy.fixed(1.seconds))
            val flaky = Flaky(failures = 10) { currentTime }
            shouldThrow<IllegalStateException> { client.fetchQuery(QueryOptions(key, flaky::call)) }
                .original().message shouldBe "failure 3"
            flaky.callTimes shouldBe listOf(0L, 1_000L, 2_000L)
            val state = client.getQueryState<String>(key)!!
            state.brief() shouldBe "ERROR/IDLE/null/3"
            state.failureReason!!.message shouldBe "failure 3"
            client.stats().fetchFailures shouldBe 1
            client.close()
        }
    }

    test("an explicit retry of zero in the options wins over the client default") {
        runTest {
            val client = testClient(retry = 3)
            val flaky = Flaky(failures = 1) { currentTime }
            shouldThrow<IllegalStateException> { client.fetchQuery(QueryOptions(key, flaky::call, retry = 0)) }
            flaky.callTimes.size shouldBe 1
            client.close()
        }
    }

    test("the retry predicate stops retrying errors it rejects") {
        runTest {
            val policy = RetryPolicy.exponential(retryOn = { _, e -> e !is IllegalArgumentException })
            val client = testClient(retry = 5, retryPolicy = policy)
            var calls = 0
            shouldThrow<IllegalArgumentException> {
                client.fetchQuery(QueryOptions<String>(key, { calls++; throw IllegalArgumentException("bad request") }))
            }
            calls shouldBe 1
            client.close()
        }
    }

    test("the failure count and reason show each failed attempt while retrying") {
        runTest {
            val client = testClient(retry = 2, retryPolicy = RetryPolicy.fixed(1.seconds))
            val events = recordEvents(client)
            val flaky = Flaky(failures = 2) { currentTime }
            client.fetchQuery(QueryOptions(key, flaky::call))
            events.statesOf(key).map { it.brief() } shouldBe listOf(
                "PENDING/FETCHING/null/0",
                "PENDING/FETCHING/null/1",
                "PENDING/FETCHING/null/2",
                "SUCCESS/IDLE/ok after 3/0",
            )
            client.close()
        }
    }

    test("an exception thrown by onSuccess is logged and never causes a retry") {
        runTest {
            val client = testClient(retry = 3)
            var calls = 0
            val options = QueryOptions(
                key,
                queryFn = { calls++; "data" },
                onSuccess = { throw IllegalStateException("callback bug") },
                onSettled = { _, _ -> throw IllegalStateException("callback bug") },
            )
            client.fetchQuery(options) shouldBe "data"
            calls shouldBe 1
            client.getQueryState<String>(key)!!.brief() shouldBe "SUCCESS/IDLE/data/0"
            client.close()
        }
    }

    test("an exception thrown by onError does not hide the fetch error") {
        runTest {
            val client = testClient()
            val errors = mutableListOf<Throwable>()
            val boom = IllegalStateException("boom")
            val options = QueryOptions<String>(
                key,
                queryFn = { throw boom },
                onError = { errors += it; throw IllegalStateException("callback bug") },
            )
            shouldThrow<IllegalStateException> { client.fetchQuery(options) }.original() shouldBe boom
            errors shouldBe listOf(boom)
            client.close()
        }
    }

    test("a retry policy that throws ends the retries instead of breaking the fetch") {
        runTest {
            val broken = object : RetryPolicy {
                override fun shouldRetry(failureCount: Int, error: Throwable): Boolean = error("policy bug")
                override fun delayMillis(failureCount: Int, error: Throwable): Long = 0
            }
            val client = testClient(retry = 3, retryPolicy = broken)
            var calls = 0
            shouldThrow<IllegalStateException> {
                client.fetchQuery(QueryOptions<String>(key, { calls++; throw IllegalStateException("down") }))
            }.original().message shouldBe "down"
            calls shouldBe 1
            client.close()
        }
    }

    test("a per-query retry policy wins over the client's") {
        runTest {
            val client = testClient(retry = 1, retryPolicy = RetryPolicy.fixed(10.seconds))
            val flaky = Flaky(failures = 1) { currentTime }
            client.fetchQuery(QueryOptions(key, flaky::call, retryPolicy = RetryPolicy.fixed(Duration.ZERO)))
            flaky.callTimes shouldBe listOf(0L, 0L)
            client.close()
        }
    }
})
