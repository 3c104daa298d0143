package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.async
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

class FetchQuerySpec : FunSpec({
    val key = queryKey("user", 1)

    test("a cold fetch runs the query function once and waits for it") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val fetcher = FakeFetcher { "alice-$it" }
            client.fetchQuery(QueryOptions(key, { fetcher() })) shouldBe "alice-1"
            fetcher.calls shouldBe 1
            currentTime shouldBe 100
            client.getQueryState<String>(key)!!.brief() shouldBe "SUCCESS/IDLE/alice-1/0"
            client.close()
        }
    }

    test("fresh data is returned without calling the query function and without suspending") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val fetcher = FakeFetcher { "alice-$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options)
            advanceTimeBy(59.seconds)
            completesWithoutSuspending { client.fetchQuery(options) } shouldBe "alice-1"
            runCurrent()
            fetcher.calls shouldBe 1
            client.stats().hits shouldBe 1
            client.close()
        }
    }

    test("stale data is returned at once and one background refetch replaces it") {
        runTest {
            val client = testClient(staleTime = 10.seconds)
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options) shouldBe "v1"
            advanceTimeBy(10.seconds)
            val before = currentTime
            client.fetchQuery(options) shouldBe "v1"
            client.fetchQuery(options) shouldBe "v1"
            currentTime shouldBe before
            runCurrent()
            client.getQueryState<String>(key)!!.isFetching shouldBe true
            advanceTimeBy(100.milliseconds)
            runCurrent()
            fetcher.calls shouldBe 2
            client.getQueryData<String>(key) shouldBe "v2"
            client.stats().staleHits shouldBe 2
            client.stats().dedupJoins shouldBe 1
            client.close()
        }
    }

    test("data is stale exactly when its age reaches staleTime") {
        runTest {
            val client = testClient(staleTime = 10.seconds)
            val fetcher = FakeFetcher(latency = Duration.ZERO) { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options)
            advanceTimeBy(9_999.milliseconds)
            client.fetchQuery(options)
            runCurrent()
            fetcher.calls shouldBe 1
            advanceTimeBy(1.milliseconds)
            client.fetchQuery(options)
            runCurrent()
            fetcher.calls shouldBe 2
            client.close()
        }
    }

    test("an explicit staleTime of zero wins over the client default") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val fetcher = FakeFetcher(latency = Duration.ZERO) { "v$it" }
            val options = QueryOptions(key, { fetcher() }, staleTime = Duration.ZERO)
            client.fetchQuery(options)
            client.fetchQuery(options) shouldBe "v1"
            runCurrent()
            fetcher.calls shouldBe 2
            client.close()
        }
    }

    test("a null result is cached like any value") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val fetcher = FakeFetcher<String?> { null }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options) shouldBe null
            client.fetchQuery(options) shouldBe null
            runCurrent()
            fetcher.calls shouldBe 1
            client.getQueryState<String?>(key)!!.hasData shouldBe true
            client.close()
        }
    }

    test("a failed cold fetch throws, records the error, and the next call fetches again") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val boom = IllegalStateException("boom")
            val fetcher = FakeFetcher { if (it == 1) throw boom else "ok" }
            val options = QueryOptions(key, { fetcher() })
            shouldThrow<IllegalStateException> { client.fetchQuery(options) }.original() shouldBe boom
            val failed = client.getQueryState<String>(key)!!
            failed.brief() shouldBe "ERROR/IDLE/null/1"
            failed.error shouldBe boom
            failed.errorUpdatedAt shouldBe 100
            client.fetchQuery(options) shouldBe "ok"
            client.getQueryState<String>(key)!!.error shouldBe null
            client.close()
        }
    }

    test("fresh initial data is served without fetching; stale initial data is served and refetched") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val fetcher = FakeFetcher(latency = Duration.ZERO) { "fetched" }
            client.fetchQuery(QueryOptions(key, { fetcher() }, initialData = "initial")) shouldBe "initial"
            runCurrent()
            fetcher.calls shouldBe 0

            val old = queryKey("user", 2)
            advanceTimeBy(5.minutes)
            val staleInitial = QueryOptions(old, { fetcher() }, initialData = "old", initialDataUpdatedAt = 0L)
            client.fetchQuery(staleInitial) shouldBe "old"
            runCurrent()
            fetcher.calls shouldBe 1
            client.getQueryData<String>(old) shouldBe "fetched"
            client.close()
        }
    }

    test("placeholder data is never returned by fetchQuery nor cached") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "real" }
            client.fetchQuery(QueryOptions(key, { fetcher() }, placeholderData = "placeholder")) shouldBe "real"
            fetcher.calls shouldBe 1
            client.getQueryState<String>(key)!!.isPlaceholderData shouldBe false
            client.close()
        }
    }

    test("a disabled query still fetches when fetchQuery asks for it") {
        runTest {
            val client = testClient()
            client.fetchQuery(QueryOptions(key, { "data" }, enabled = false)) shouldBe "data"
            client.close()
        }
    }

    test("a fetch uses the latest options given for the key") {
        runTest {
            val client = testClient()
            client.fetchQuery(QueryOptions(key, { "first" }))
            client.fetchQuery(QueryOptions(key, { "second" }))
            runCurrent()
            client.getQueryData<String>(key) shouldBe "second"
            client.close()
        }
    }

    test("ensureQueryData returns cached data even when stale, and fetches only when there is none") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.ensureQueryData(options) shouldBe "v1"
            advanceTimeBy(1.minutes)
            client.ensureQueryData(options) shouldBe "v1"
            runCurrent()
            fetcher.calls shouldBe 1
            client.close()
        }
    }

    test("ensureQueryData with revalidateIfStale returns stale data at once and refetches it in the background") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.ensureQueryData(options, revalidateIfStale = true) shouldBe "v1"
            client.ensureQueryData(options, revalidateIfStale = true) shouldBe "v1" // fresh: nothing fetched
            runCurrent()
            fetcher.calls shouldBe 1
            advanceTimeBy(1.minutes)
            client.ensureQueryData(options, revalidateIfStale = true) shouldBe "v1" // stale: at once...
            client.getQueryState<String>(key)!!.isFetching shouldBe true // ...and refetched behind
            advanceTimeBy(200.milliseconds)
            runCurrent()
            fetcher.calls shouldBe 2
            client.getQueryData<String>(key) shouldBe "v2"
            client.close()
        }
    }

    test("prefetchQuery fills the cache, skips fresh data and never throws a fetch error") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val fetcher = FakeFetcher { "v$it" }
            client.prefetchQuery(QueryOptions(key, { fetcher() }))
            client.getQueryData<String>(key) shouldBe "v1"
            client.prefetchQuery(QueryOptions(key, { fetcher() }))
            fetcher.calls shouldBe 1

            val failing = queryKey("failing")
            client.prefetchQuery(QueryOptions<String>(failing, { error("down") }))
            client.getQueryState<String>(failing)!!.isError shouldBe true
            client.close()
            client.prefetchQuery(QueryOptions(queryKey("after-close"), { "x" }))
        }
    }

    test("many stale calls share one background refetch") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options)
            val results = (1..5).map { async { client.fetchQuery(options) } }.map { it.await() }
            results shouldBe List(5) { "v1" }
            advanceTimeBy(100.milliseconds)
            runCurrent()
            fetcher.calls shouldBe 2
            client.close()
        }
    }
})
