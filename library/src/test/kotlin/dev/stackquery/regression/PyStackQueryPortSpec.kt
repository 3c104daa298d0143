package dev.stackquery.regression

import dev.stackquery.FakeFetcher
import dev.stackquery.QueryCacheEvent
import dev.stackquery.QueryOptions
import dev.stackquery.RetryPolicy
import dev.stackquery.brief
import dev.stackquery.completesWithoutSuspending
import dev.stackquery.queryKey
import dev.stackquery.recordEvents
import dev.stackquery.statesOf
import dev.stackquery.testClient
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.async
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes

/**
 * The intent of PyStackQuery's core tests (reference §14, tests 1–6), with their flaws fixed:
 * virtual time instead of sleeps, and assertions that do not depend on when the event loop runs.
 * Its test 7 (pause/resume) has no counterpart: the core engine has no pause (reference §16.14).
 */
class PyStackQueryPortSpec : FunSpec({
    test("test_fetch_query_basic: a second call returns the cached value without awaiting a fetch") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val fetcher = FakeFetcher { "data" }
            val options = QueryOptions(queryKey("test"), { fetcher() })
            client.fetchQuery(options) shouldBe "data"
            completesWithoutSuspending { client.fetchQuery(options) } shouldBe "data"
            advanceTimeBy(1.minutes - 1.milliseconds)
            runCurrent()
            fetcher.calls shouldBe 1 // asserted after the loop ran, unlike the original
            client.close()
        }
    }

    test("test_stale_while_revalidate: the stale value comes back at once and the refetch replaces it") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "data_$it" }
            val options = QueryOptions(queryKey("swr"), { fetcher() })
            client.fetchQuery(options) shouldBe "data_1"
            completesWithoutSuspending { client.fetchQuery(options) } shouldBe "data_1"
            advanceTimeBy(100.milliseconds)
            runCurrent()
            client.getQueryData<String>(queryKey("swr")) shouldBe "data_2"
            client.close()
        }
    }

    test("test_deduplication: three concurrent calls on a slow fetcher make one call") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher(latency = 100.milliseconds) { "done" }
            val options = QueryOptions(queryKey("dedup"), { fetcher() })
            List(3) { async { client.fetchQuery(options) } }.map { it.await() } shouldBe listOf("done", "done", "done")
            fetcher.calls shouldBe 1
            client.close()
        }
    }

    test("test_invalidation: a prefix invalidation keeps the data and flags it invalidated") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            client.fetchQuery(QueryOptions(queryKey("users", "1"), { "alice" }))
            client.invalidateQueries(queryKey("users"))
            val state = client.getQueryState<String>(queryKey("users", "1"))!!
            state.data shouldBe "alice"
            state.isInvalidated shouldBe true
            state.dataUpdatedAt shouldBe 0L // unchanged: written at virtual time 0, not reset by invalidation
            client.close()
        }
    }

    test("test_query_lifecycle: idle, then pending and fetching, then success") {
        runTest {
            val client = testClient()
            val key = queryKey("lifecycle")
            val events = recordEvents(client)
            val caller =
                async {
                    client.fetchQuery(QueryOptions(key, { FakeFetcher(latency = 50.milliseconds) { "result" }() }))
                }
            advanceTimeBy(10.milliseconds)
            client.getQueryState<String>(key)!!.let {
                it.isPending shouldBe true
                it.isFetching shouldBe true
                it.isLoading shouldBe true
            }
            caller.await() shouldBe "result"
            events.filterIsInstance<QueryCacheEvent.Added>().map { it.queryKey } shouldBe listOf(key)
            events.statesOf(key).map { it.brief() } shouldBe listOf("PENDING/FETCHING/null/0", "SUCCESS/IDLE/result/0")
            client.close()
        }
    }

    test("test_query_retry: two failures then a success make three attempts and reset the failure count") {
        runTest {
            val client = testClient(retry = 3, retryPolicy = RetryPolicy.fixed(10.milliseconds))
            var attempts = 0
            val options = QueryOptions(queryKey("retry"), {
                attempts++
                if (attempts < 3) throw IllegalStateException("attempt $attempts")
                "success"
            })
            client.fetchQuery(options) shouldBe "success"
            attempts shouldBe 3
            val state = client.getQueryState<String>(queryKey("retry"))!!
            state.isSuccess shouldBe true
            state.failureCount shouldBe 0
            state.failureReason shouldBe null
            client.close()
        }
    }
})
