package dev.stackquery

import dev.stackquery.QueryCacheEvent.RemovalCause
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.async
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration
import kotlin.time.Duration.Companion.days
import kotlin.time.Duration.Companion.hours
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** Advances virtual time by [by] and runs the tasks due at the new time too. */
private fun TestScope.advance(by: Duration) {
    advanceTimeBy(by)
    runCurrent()
}

/** `(key, cause)` of every [QueryCacheEvent.Removed], in order. */
private fun List<QueryCacheEvent>.removals(): List<Pair<QueryKey, RemovalCause>> =
    filterIsInstance<QueryCacheEvent.Removed>().map { it.queryKey to it.cause }

private fun QueryClient.has(key: QueryKey): Boolean = getQueryState<Any?>(key) != null

/** Runs [block] and returns the [QueryCancelledException] it threw, or fails. */
private suspend fun cancellationOf(block: suspend () -> Any?): QueryCancelledException? = try {
    block()
    null
} catch (e: QueryCancelledException) {
    e
}

class GcAndEvictionSpec : FunSpec({
    val key = queryKey("user", 1)
    val a = queryKey("a")
    val b = queryKey("b")
    val c = queryKey("c")
    val d = queryKey("d")
    val e = queryKey("e")

    // ---------------------------------------------------------------- garbage collection

    test("an inactive query is removed exactly gcTime after its fetch settled, not after it was created") {
        runTest {
            val client = testClient(gcTime = 5.minutes)
            val fetcher = FakeFetcher(latency = 10.seconds) { "v$it" }
            client.fetchQuery(QueryOptions(key, { fetcher() })) shouldBe "v1"
            currentTime shouldBe 10_000
            advance(5.minutes - 10.seconds)
            currentTime shouldBe 300_000 // creation + gcTime
            client.has(key) shouldBe true
            advance(10.seconds - 1.milliseconds)
            currentTime shouldBe 309_999 // settled + gcTime - 1ms
            client.has(key) shouldBe true
            advance(1.milliseconds)
            client.has(key) shouldBe false
            client.close()
        }
    }

    test("a gc removal is announced with cause GC and counted in stats") {
        runTest {
            val client = testClient(gcTime = 5.minutes)
            val events = recordEvents(client)
            client.fetchQuery(QueryOptions(key, { FakeFetcher { "v$it" }() }))
            advance(5.minutes - 1.milliseconds)
            events.removals() shouldBe emptyList()
            client.stats().gcRemovals shouldBe 0
            advance(1.milliseconds)
            events.removals() shouldBe listOf(key to RemovalCause.GC)
            client.stats().gcRemovals shouldBe 1
            client.close()
        }
    }

    test("a query made by setQueryData is collected gcTime after it was made") {
        runTest {
            val client = testClient(gcTime = 5.minutes)
            val events = recordEvents(client)
            advance(1.seconds)
            client.setQueryData(key, "written")
            advance(5.minutes - 1.milliseconds)
            client.getQueryState<String>(key)!!.brief() shouldBe "SUCCESS/IDLE/written/0"
            advance(1.milliseconds)
            currentTime shouldBe 301_000
            client.has(key) shouldBe false
            events.removals() shouldBe listOf(key to RemovalCause.GC)
            client.stats().gcRemovals shouldBe 1
            client.close()
        }
    }

    test("observing a query before its gc deadline keeps it long past that deadline") {
        runTest {
            val client = testClient(gcTime = 5.minutes)
            client.setQueryData(key, "v")
            advance(4.minutes)
            client.observe(key)
            advance(1.hours)
            client.getQueryData<String>(key) shouldBe "v"
            client.stats().gcRemovals shouldBe 0
            client.close()
        }
    }

    test("a query is collected gcTime after its last observer left, not after its first deadline") {
        runTest {
            val client = testClient(gcTime = 5.minutes)
            val events = recordEvents(client)
            client.setQueryData(key, "v")
            advance(4.minutes)
            client.observe(key)
            advance(2.minutes) // first deadline (5 min) passes while observed
            client.query<Any?>(key).removeObserver()
            currentTime shouldBe 360_000
            advance(5.minutes - 1.milliseconds)
            client.has(key) shouldBe true
            advance(1.milliseconds)
            client.has(key) shouldBe false
            events.removals() shouldBe listOf(key to RemovalCause.GC)
            client.close()
        }
    }

    test(
        "a query keeps the longest gcTime it was given: a short-lived observer does not cut a fetch's long one short",
    ) {
        runTest {
            val client = testClient(gcTime = 5.minutes)
            client.fetchQuery(QueryOptions(key, { "v" }, gcTime = 30.minutes))
            val observer = client.watch(QueryOptions(key, { "v" }, gcTime = 1.minutes, enabled = false))
            observer.subscribe { }.close() // attached and left: the gc timer starts again
            runCurrent()
            val left = currentTime
            advance(29.minutes)
            client.has(key) shouldBe true
            advance(1.minutes - 1.milliseconds)
            client.has(key) shouldBe true
            advance(1.milliseconds)
            client.has(key) shouldBe false
            currentTime - left shouldBe 30.minutes.inWholeMilliseconds
            client.close()
        }
    }

    test("a later fetch with a longer gcTime lengthens an observer's shorter one") {
        runTest {
            val client = testClient(gcTime = 5.minutes)
            val observer = client.watch(QueryOptions(key, { "v" }, gcTime = 1.minutes))
            val subscription = observer.subscribe { }
            advance(1.seconds)
            client.fetchQuery(QueryOptions(key, { "v" }, gcTime = 10.minutes, staleTime = 1.hours))
            subscription.close()
            runCurrent()
            advance(10.minutes - 1.milliseconds)
            client.has(key) shouldBe true
            advance(1.milliseconds)
            client.has(key) shouldBe false
            client.close()
        }
    }

    test("the gc timer of a removed query never removes a newer query under the same key") {
        runTest {
            val client = testClient(gcTime = 5.minutes)
            val events = recordEvents(client)
            client.setQueryData(key, "old") // deadline 5 min
            advance(1.minutes)
            client.removeQueries(key)
            client.setQueryData(key, "new") // deadline 6 min
            advance(5.minutes - 1.milliseconds)
            currentTime shouldBe 359_999
            client.getQueryData<String>(key) shouldBe "new"
            events.removals() shouldBe listOf(key to RemovalCause.EXPLICIT)
            advance(1.milliseconds)
            client.has(key) shouldBe false
            events.removals() shouldBe listOf(key to RemovalCause.EXPLICIT, key to RemovalCause.GC)
            client.stats().gcRemovals shouldBe 1
            client.close()
        }
    }

    test("a query with a fetch in flight is not collected even when the fetch outlasts its gcTime") {
        runTest {
            val client = testClient(gcTime = 5.minutes)
            val fetcher = FakeFetcher(latency = 10.minutes) { "v$it" }
            val waiter = async { client.fetchQuery(QueryOptions(key, { fetcher() }, gcTime = 1.minutes)) }
            runCurrent()
            advance(10.minutes - 1.milliseconds)
            client.getQueryState<String>(key)!!.brief() shouldBe "PENDING/FETCHING/null/0"
            advance(1.milliseconds)
            waiter.await() shouldBe "v1"
            client.getQueryState<String>(key)!!.brief() shouldBe "SUCCESS/IDLE/v1/0"
            client.stats().gcRemovals shouldBe 0
            client.close()
        }
    }

    test("a per-query gcTime shorter than the client default is used, even when a later deadline is pending") {
        runTest {
            val client = testClient(gcTime = 10.minutes)
            client.setQueryData(a, "long") // default: deadline 10 min, the gc loop sleeps until then
            runCurrent()
            client.fetchQuery(QueryOptions(b, { "short" }, gcTime = 1.minutes))
            advance(1.minutes - 1.milliseconds)
            client.has(b) shouldBe true
            advance(1.milliseconds)
            client.has(b) shouldBe false
            client.has(a) shouldBe true
            advance(9.minutes - 1.milliseconds)
            client.has(a) shouldBe true
            advance(1.milliseconds)
            client.has(a) shouldBe false
            client.stats().gcRemovals shouldBe 2
            client.close()
        }
    }

    test("a per-query gcTime longer than the client default is used") {
        runTest {
            val client = testClient(gcTime = 1.minutes)
            client.fetchQuery(QueryOptions(key, { "v" }, gcTime = 10.minutes))
            advance(10.minutes - 1.milliseconds)
            client.has(key) shouldBe true
            advance(1.milliseconds)
            client.has(key) shouldBe false
            client.close()
        }
    }

    test("a per-query gcTime applies to a query created with fresh initial data and never fetched") {
        runTest {
            val client = testClient(staleTime = 1.hours, gcTime = 5.minutes)
            val fetcher = FakeFetcher { "fetched" }
            val options = QueryOptions(key, { fetcher() }, initialData = "initial", gcTime = 1.minutes)
            client.fetchQuery(options) shouldBe "initial"
            runCurrent()
            fetcher.calls shouldBe 0
            advance(1.minutes - 1.milliseconds)
            client.has(key) shouldBe true
            advance(1.milliseconds)
            client.has(key) shouldBe false
            client.close()
        }
    }

    test("a per-query gcTime of INFINITE never collects the query") {
        runTest {
            val client = testClient(gcTime = 1.minutes)
            client.fetchQuery(QueryOptions(key, { "v" }, gcTime = Duration.INFINITE))
            advance(3650.days)
            client.getQueryData<String>(key) shouldBe "v"
            client.stats().gcRemovals shouldBe 0
            client.close()
        }
    }

    test("a client gcTime of INFINITE never collects a query made by setQueryData") {
        runTest {
            val client = testClient(gcTime = Duration.INFINITE)
            client.setQueryData(key, "v")
            advance(3650.days)
            client.getQueryData<String>(key) shouldBe "v"
            client.stats().gcRemovals shouldBe 0
            client.close()
        }
    }

    test("100,000 inactive queries wait on a single gc coroutine and are all removed after gcTime") {
        runTest {
            val count = 100_000
            val client = testClient(gcTime = 5.minutes, cacheMaxSize = count)
            for (i in 0 until count) client.setQueryData(queryKey("item", i), i)
            runCurrent()
            client.engine.store.size shouldBe count
            client.engine.runtime.job.children.count() shouldBe 1
            advance(5.minutes - 1.milliseconds)
            client.engine.store.size shouldBe count
            client.engine.runtime.job.children.count() shouldBe 1
            advance(1.milliseconds)
            client.engine.store.size shouldBe 0
            client.stats().gcRemovals shouldBe count.toLong()
            client.has(queryKey("item", 0)) shouldBe false
            client.has(queryKey("item", count - 1)) shouldBe false
            client.close()
        }
    }

    // ---------------------------------------------------------------- LRU eviction

    test("creating a query past cacheMaxSize evicts the least recently used inactive query") {
        runTest {
            val client = testClient(cacheMaxSize = 3)
            val events = recordEvents(client)
            client.setQueryData(a, "a")
            advance(1.seconds)
            client.setQueryData(b, "b")
            advance(1.seconds)
            client.setQueryData(c, "c")
            advance(1.seconds)
            client.setQueryData(d, "d")
            events.removals() shouldBe listOf(a to RemovalCause.EVICTED)
            client.stats().evictions shouldBe 1
            client.engine.store.size shouldBe 3
            listOf(a, b, c, d).map { client.has(it) } shouldBe listOf(false, true, true, true)
            client.close()
        }
    }

    listOf<Pair<String, suspend (QueryClient, QueryKey) -> Unit>>(
        "fetchQuery" to { client, k -> client.fetchQuery(QueryOptions(k, { "fetched" })) },
        "getQueryData" to { client, k -> client.getQueryData<String>(k) },
        "setQueryData" to { client, k -> client.setQueryData(k, "rewritten") },
    ).forEach { (name, use) ->
        test("$name counts as a use, so the query it touched is not the one evicted") {
            runTest {
                val client = testClient(staleTime = 1.hours, cacheMaxSize = 3)
                val events = recordEvents(client)
                client.setQueryData(a, "a")
                advance(1.seconds)
                client.setQueryData(b, "b")
                advance(1.seconds)
                client.setQueryData(c, "c")
                advance(1.seconds)
                use(client, a)
                advance(1.seconds)
                client.setQueryData(d, "d")
                events.removals() shouldBe listOf(b to RemovalCause.EVICTED)
                client.has(a) shouldBe true
                client.close()
            }
        }
    }

    test("eviction skips fetching and observed queries and takes the least recently used inactive one") {
        runTest {
            val client = testClient(cacheMaxSize = 3)
            val events = recordEvents(client)
            launch { client.prefetchQuery(QueryOptions(a, { FakeFetcher(latency = 1.minutes) { "a" }() })) }
            runCurrent()
            advance(1.seconds)
            client.setQueryData(b, "b")
            client.observe(b)
            advance(1.seconds)
            client.setQueryData(c, "c")
            advance(1.seconds)
            client.setQueryData(d, "d")
            events.removals() shouldBe listOf(c to RemovalCause.EVICTED)
            client.stats().evictions shouldBe 1
            listOf(a, b, c, d).map { client.has(it) } shouldBe listOf(true, true, false, true)
            client.getQueryState<String>(a)!!.isFetching shouldBe true
            client.close()
        }
    }

    test("the cache grows past cacheMaxSize when every other query is fetching or observed") {
        runTest {
            val client = testClient(cacheMaxSize = 3)
            val events = recordEvents(client)
            launch { client.prefetchQuery(QueryOptions(a, { FakeFetcher(latency = 1.minutes) { "a" }() })) }
            runCurrent()
            advance(1.seconds)
            client.setQueryData(b, "b")
            client.observe(b)
            advance(1.seconds)
            client.setQueryData(c, "c")
            client.observe(c)
            advance(1.seconds)
            client.setQueryData(d, "d")
            client.engine.store.size shouldBe 4
            events.removals() shouldBe emptyList()
            client.stats().evictions shouldBe 0
            client.close()
        }
    }

    test("a caller waiting on the least recently used query gets its data when the cache overflows meanwhile") {
        runTest {
            val client = testClient(cacheMaxSize = 1)
            val fetcher = FakeFetcher(latency = 10.seconds) { "a$it" }
            val waiter = async { client.fetchQuery(QueryOptions(a, { fetcher() })) }
            runCurrent()
            advance(1.seconds)
            client.setQueryData(b, "b")
            client.stats().evictions shouldBe 0
            advance(9.seconds)
            waiter.isCompleted shouldBe true
            waiter.await() shouldBe "a1"
            client.getQueryData<String>(a) shouldBe "a1"
            fetcher.calls shouldBe 1
            client.close()
        }
    }

    test("a query that became inactive after an eviction is evicted next when it is the least recently used") {
        runTest {
            val client = testClient(cacheMaxSize = 3)
            val events = recordEvents(client)
            client.setQueryData(a, "a")
            client.observe(a)
            advance(1.seconds)
            client.setQueryData(b, "b")
            advance(1.seconds)
            client.setQueryData(c, "c")
            advance(1.seconds)
            client.setQueryData(d, "d") // a is observed: b goes
            client.query<Any?>(a).removeObserver()
            advance(1.seconds)
            client.setQueryData(e, "e") // a (last used at 0s) is now older than c (2s)
            events.removals() shouldBe listOf(b to RemovalCause.EVICTED, a to RemovalCause.EVICTED)
            client.close()
        }
    }

    // ---------------------------------------------------------------- close() and clear()

    test("close cancels the client's scope and leaves no coroutine behind") {
        runTest {
            val client = testClient()
            client.setQueryData(a, "a") // starts the gc loop
            launch { client.prefetchQuery(QueryOptions(b, { FakeFetcher(latency = 1.minutes) { "b" }() })) }
            runCurrent()
            client.engine.runtime.job.children.count() shouldBe 2 // the gc loop and the fetch
            client.close()
            runCurrent()
            client.engine.runtime.job.isCompleted shouldBe true
            client.engine.runtime.job.children.count() shouldBe 0
        }
    }

    test("a caller waiting on a fetch in flight gets QueryCancelledException when the client closes") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher(latency = 1.minutes) { "v$it" }
            val waiter = async { cancellationOf { client.fetchQuery(QueryOptions(key, { fetcher() })) } }
            runCurrent()
            advance(1.seconds)
            client.close()
            runCurrent()
            waiter.isCompleted shouldBe true
            val error = waiter.await()
            error.shouldBeInstanceOf<QueryCancelledException>()
            error.queryKey shouldBe key
            currentTime shouldBe 1_000
        }
    }

    test("fetchQuery after close throws QueryClientClosedException without calling the query function") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            client.close()
            shouldThrow<QueryClientClosedException> { client.fetchQuery(QueryOptions(key, { fetcher() })) }
            fetcher.calls shouldBe 0
        }
    }

    test("getQueryData returns null after close for data that was cached") {
        runTest {
            val client = testClient(staleTime = 1.hours)
            client.fetchQuery(QueryOptions(key, { "v" }))
            client.getQueryData<String>(key) shouldBe "v"
            client.close()
            client.getQueryData<String>(key) shouldBe null
            client.getQueryState<String>(key) shouldBe null
        }
    }

    test("close announces every cached query as Removed with cause CLOSED") {
        runTest {
            val client = testClient()
            val events = recordEvents(client)
            client.setQueryData(a, "a")
            client.setQueryData(b, "b")
            client.observe(b)
            client.close()
            runCurrent()
            events.removals().toSet() shouldBe setOf(a to RemovalCause.CLOSED, b to RemovalCause.CLOSED)
            events.removals().size shouldBe 2
        }
    }

    test("closing twice is harmless and announces nothing more") {
        runTest {
            val client = testClient()
            val events = recordEvents(client)
            client.setQueryData(a, "a")
            client.close()
            runCurrent()
            client.close()
            runCurrent()
            events.removals() shouldBe listOf(a to RemovalCause.CLOSED)
            client.engine.runtime.job.isCompleted shouldBe true
        }
    }

    test("clear removes every query, cancelling fetches, with cause EXPLICIT") {
        runTest {
            val client = testClient()
            val events = recordEvents(client)
            client.setQueryData(a, "a")
            client.setQueryData(b, "b")
            client.observe(b)
            val waiter = async { cancellationOf { client.fetchQuery(QueryOptions(c, { FakeFetcher { "c" }() })) } }
            runCurrent()
            client.clear()
            runCurrent()
            client.engine.store.size shouldBe 0
            events.removals().toSet() shouldBe
                setOf(a to RemovalCause.EXPLICIT, b to RemovalCause.EXPLICIT, c to RemovalCause.EXPLICIT)
            events.removals().size shouldBe 3
            waiter.await()!!.queryKey shouldBe c
            client.close()
        }
    }

    test("the client stays usable after clear: it fetches again and still collects garbage") {
        runTest {
            val client = testClient(staleTime = 1.hours, gcTime = 5.minutes)
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options) shouldBe "v1"
            client.clear()
            client.fetchQuery(options) shouldBe "v2"
            client.getQueryData<String>(key) shouldBe "v2"
            fetcher.calls shouldBe 2
            advance(5.minutes - 1.milliseconds)
            client.has(key) shouldBe true
            advance(1.milliseconds)
            client.has(key) shouldBe false
            client.stats().gcRemovals shouldBe 1
            client.close()
        }
    }
})
