package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainOnly
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withTimeoutOrNull
import kotlin.time.Duration.Companion.milliseconds

class DedupSpec : FunSpec({
    val key = queryKey("todos")

    test("a thousand concurrent callers on a cold key share one call and one result") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { listOf("a", "b") }
            val options = QueryOptions(key, { fetcher() })
            val results = (1..1000).map { async { client.fetchQuery(options) } }.awaitAll()
            fetcher.calls shouldBe 1
            results.distinct() shouldBe listOf(listOf("a", "b"))
            results.map { System.identityHashCode(it) }.toSet().size shouldBe 1
            client.stats().dedupJoins shouldBe 999
            client.stats().misses shouldBe 1000
            client.close()
        }
    }

    test("a thousand concurrent callers on a failing cold key all get the same exception") {
        runTest {
            val client = testClient()
            val boom = IllegalStateException("boom")
            val fetcher = FakeFetcher<String> { throw boom }
            val options = QueryOptions(key, { fetcher() })
            val errors = (1..1000).map { async { runCatching { client.fetchQuery(options) }.exceptionOrNull() } }
                .awaitAll()
            fetcher.calls shouldBe 1
            errors.map { it!!.original() } shouldContainOnly listOf(boom)
            client.close()
        }
    }

    test("a cancelled caller stops waiting but the shared fetch goes on for the others") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher(latency = 100.milliseconds) { "data" }
            val options = QueryOptions(key, { fetcher() })
            val impatient = async { withTimeoutOrNull(10.milliseconds) { client.fetchQuery(options) } }
            val patient = async { client.fetchQuery(options) }
            impatient.await() shouldBe null
            patient.await() shouldBe "data"
            fetcher.calls shouldBe 1
            client.close()
        }
    }

    test("the shared fetch fills the cache even when every caller was cancelled") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher(latency = 100.milliseconds) { "data" }
            val caller = async { client.fetchQuery(QueryOptions(key, { fetcher() })) }
            advanceTimeBy(50.milliseconds)
            caller.cancel()
            advanceTimeBy(50.milliseconds)
            runCurrent()
            caller.isCancelled shouldBe true
            client.getQueryState<String>(key)!!.brief() shouldBe "SUCCESS/IDLE/data/0"
            client.close()
        }
    }

    test("a fetch after the shared one settled starts a new execution") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options) shouldBe "v1"
            client.refetchQueries(key)
            fetcher.calls shouldBe 2
            client.getQueryData<String>(key) shouldBe "v2"
            client.close()
        }
    }

    test("callbacks run once per shared execution, not once per caller") {
        runTest {
            val client = testClient()
            val seen = mutableListOf<String>()
            val options = QueryOptions(
                key,
                queryFn = FakeFetcher { "data" }::invoke,
                onSuccess = { seen += "success:$it" },
                onSettled = { data, error -> seen += "settled:$data:$error" },
            )
            (1..10).map { async { client.fetchQuery(options) } }.awaitAll()
            seen shouldBe listOf("success:data", "settled:data:null")
            client.close()
        }
    }

    test("a cancelled waiter sees its own cancellation, not a failure of the fetch") {
        runTest {
            val client = testClient()
            val options = QueryOptions(key, { FakeFetcher(latency = 100.milliseconds) { "data" }() })
            val caller = async { client.fetchQuery(options) }
            runCurrent()
            caller.cancel()
            runCatching {
                caller.await()
            }.exceptionOrNull().shouldBeInstanceOf<kotlinx.coroutines.CancellationException>()
            client.getQueryState<String>(key)!!.isFetching shouldBe true
            client.close()
        }
    }
})
