package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withContext
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** An event as `Kind(details)`, with states in [brief] form, for exact sequence assertions. */
private fun QueryCacheEvent.describe(): String = when (this) {
    is QueryCacheEvent.Added -> "Added"
    is QueryCacheEvent.Updated -> "Updated(${state.brief()})"
    is QueryCacheEvent.FetchStarted -> "FetchStarted"
    is QueryCacheEvent.ObserverAdded -> "ObserverAdded($observerCount)"
    is QueryCacheEvent.ObserverRemoved -> "ObserverRemoved($observerCount)"
    is QueryCacheEvent.FetchSettled -> "FetchSettled(${state.brief()}${if (isCancelled) ", cancelled" else ""})"
    is QueryCacheEvent.Removed -> "Removed($cause)"
}

private fun List<QueryCacheEvent>.describedFor(key: QueryKey): List<String> =
    filter { it.queryKey == key }.map { it.describe() }

class SetQueryDataAndEventsSpec : FunSpec({
    val key = queryKey("user", 1)

    // ---------------------------------------------------------------- setQueryData

    test("setQueryData on a missing key creates the query as SUCCESS holding the data, written now") {
        runTest {
            val client = testClient()
            advanceTimeBy(5.seconds)
            val events = recordEvents(client)
            client.setQueryData(key, "alice") shouldBe "alice"
            val state = client.getQueryState<String>(key)!!
            state.brief() shouldBe "SUCCESS/IDLE/alice/0"
            state.hasData shouldBe true
            state.dataUpdatedAt shouldBe 5_000
            state.error shouldBe null
            state.isInvalidated shouldBe false
            events.describedFor(key) shouldBe listOf("Added", "Updated(SUCCESS/IDLE/alice/0)")
            client.close()
        }
    }

    test("setQueryData overwrites existing data and its timestamp") {
        runTest {
            val client = testClient()
            client.fetchQuery(QueryOptions(key, { "fetched" }))
            advanceTimeBy(1.seconds)
            val events = recordEvents(client)
            client.setQueryData(key, "manual")
            client.getQueryData<String>(key) shouldBe "manual"
            client.getQueryState<String>(key)!!.dataUpdatedAt shouldBe 1_000
            events.statesOf(key).map { it.brief() } shouldBe listOf("SUCCESS/IDLE/manual/0")
            client.close()
        }
    }

    test("setQueryData clears the error of a failed fetch") {
        runTest {
            val client = testClient()
            shouldThrow<IllegalStateException> {
                client.fetchQuery(QueryOptions<String>(key, { error("down") }))
            }
            client.getQueryState<String>(key)!!.brief() shouldBe "ERROR/IDLE/null/1"
            client.setQueryData(key, "manual")
            val state = client.getQueryState<String>(key)!!
            state.brief() shouldBe "SUCCESS/IDLE/manual/0"
            state.error shouldBe null
            state.failureReason shouldBe null
            client.close()
        }
    }

    test("data set on an invalidated query is fresh again: fetchQuery returns it without fetching") {
        runTest {
            val client = testClient(staleTime = Duration.INFINITE)
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options)
            client.invalidateQueries(key)
            client.getQueryState<String>(key)!!.isInvalidated shouldBe true
            client.setQueryData(key, "manual")
            client.getQueryState<String>(key)!!.isInvalidated shouldBe false
            client.fetchQuery(options) shouldBe "manual"
            runCurrent()
            fetcher.calls shouldBe 1
            client.close()
        }
    }

    test("the updater receives null when the key has no query") {
        runTest {
            val client = testClient()
            val seen = mutableListOf<String?>()
            client.setQueryData<String>(key) { old -> seen += old; "new" } shouldBe "new"
            seen shouldBe listOf(null)
            client.getQueryData<String>(key) shouldBe "new"
            client.close()
        }
    }

    test("the updater receives null when the query exists but has no data") {
        runTest {
            val client = testClient()
            shouldThrow<IllegalStateException> {
                client.fetchQuery(QueryOptions<String>(key, { error("down") }))
            }
            val seen = mutableListOf<String?>()
            client.setQueryData<String>(key) { old -> seen += old; "new" }
            seen shouldBe listOf(null)
            client.close()
        }
    }

    test("the updater receives the current data and its result becomes the data") {
        runTest {
            val client = testClient()
            client.setQueryData(key, listOf("a"))
            val seen = mutableListOf<List<String>?>()
            client.setQueryData<List<String>>(key) { old -> seen += old; old!! + "b" } shouldBe listOf("a", "b")
            seen shouldBe listOf(listOf("a"))
            client.getQueryData<List<String>>(key) shouldBe listOf("a", "b")
            client.close()
        }
    }

    test("100 concurrent updaters incrementing a counter never lose an update") {
        runTest {
            // gc off: while this test waits on real threads, runTest skips virtual time ahead,
            // and a 5-minute gc would collect the counter between updates
            val client = testClient(gcTime = Duration.INFINITE)
            client.setQueryData(key, 0)
            withContext(Dispatchers.Default) {
                repeat(100) {
                    launch { repeat(100) { client.setQueryData<Int>(key) { n -> (n ?: 0) + 1 } } }
                }
            }
            client.getQueryData<Int>(key) shouldBe 10_000
            client.close()
        }
    }

    test("100 updaters launched on the test dispatcher, starting on a missing key, count to 100") {
        runTest {
            val client = testClient()
            repeat(100) { launch { client.setQueryData<Int>(key) { n -> (n ?: 0) + 1 } } }
            runCurrent()
            client.getQueryData<Int>(key) shouldBe 100
            client.close()
        }
    }

    test("an updater that throws leaves an existing query unchanged and its exception propagates") {
        runTest {
            val client = testClient()
            client.setQueryData(key, 1)
            advanceTimeBy(1.seconds)
            val before = client.getQueryState<Int>(key)
            val events = recordEvents(client)
            val thrown = shouldThrow<IllegalStateException> {
                client.setQueryData<Int>(key) { error("updater failed") }
            }
            thrown.message shouldBe "updater failed"
            client.getQueryState<Int>(key) shouldBe before
            events shouldBe emptyList()
            client.close()
        }
    }

    test("an updater that throws for a missing key leaves no query behind") {
        runTest {
            val client = testClient()
            val events = recordEvents(client)
            shouldThrow<IllegalStateException> {
                client.setQueryData<Int>(key) { error("updater failed") }
            }
            client.getQueryState<Int>(key) shouldBe null
            events.map { it.describe() } shouldBe emptyList()
            client.close()
        }
    }

    // ---------------------------------------------------------------- reads

    test("getQueryData returns null for a key never used, and does not create a query") {
        runTest {
            val client = testClient()
            val events = recordEvents(client)
            client.getQueryData<String>(key) shouldBe null
            client.getQueryState<String>(key) shouldBe null
            events shouldBe emptyList()
            client.close()
        }
    }

    test("getQueryState tells a missing query (null) from a query holding null data") {
        runTest {
            val client = testClient()
            client.setQueryData<String?>(key, null)
            client.getQueryData<String?>(key) shouldBe null
            val state = client.getQueryState<String?>(key)!!
            state.status shouldBe QueryStatus.SUCCESS
            state.hasData shouldBe true
            state.data shouldBe null
            client.getQueryState<String?>(queryKey("user", 2)) shouldBe null
            client.close()
        }
    }

    // ---------------------------------------------------------------- events

    test(
        "a cold fetch emits Added, Updated(PENDING/FETCHING), FetchStarted, Updated(SUCCESS/IDLE), FetchSettled in that order",
    ) {
        runTest {
            val client = testClient()
            val events = recordEvents(client)
            client.fetchQuery(QueryOptions(key, { FakeFetcher { "v$it" }() }))
            events.describedFor(key) shouldBe listOf(
                "Added",
                "Updated(PENDING/FETCHING/null/0)",
                "FetchStarted",
                "Updated(SUCCESS/IDLE/v1/0)",
                "FetchSettled(SUCCESS/IDLE/v1/0)",
            )
            events.size shouldBe 5
            client.close()
        }
    }

    test("events print their key in its JSON text form") {
        runTest {
            val client = testClient()
            val events = recordEvents(client)
            client.setQueryData(queryKey("user", 1), "x")
            client.removeQueries(queryKey("user"))
            events.first().toString() shouldBe "Added([\"user\",1])"
            events.last().toString() shouldBe "Removed([\"user\",1], EXPLICIT)"
            client.close()
        }
    }

    test(
        "a failing fetch with retry = 2 and a fixed 1 s backoff goes through failureCount 0, 1, 2 and settles in ERROR with 3",
    ) {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher<String> { throw IllegalStateException("down $it") }
            val options = QueryOptions(key, { fetcher() }, retry = 2, retryPolicy = RetryPolicy.fixed(1.seconds))
            val events = recordEvents(client)
            val waiter = async { runCatching { client.fetchQuery(options) } }
            waiter.await().exceptionOrNull()!!.original().message shouldBe "down 3"
            currentTime shouldBe 2_300 // 100 + 1000 + 100 + 1000 + 100
            fetcher.calls shouldBe 3
            events.describedFor(key) shouldBe listOf(
                "Added",
                "Updated(PENDING/FETCHING/null/0)",
                "FetchStarted",
                "Updated(PENDING/FETCHING/null/1)",
                "Updated(PENDING/FETCHING/null/2)",
                "Updated(ERROR/IDLE/null/3)",
                "FetchSettled(ERROR/IDLE/null/3)",
            )
            val state = client.getQueryState<String>(key)!!
            state.errorUpdatedAt shouldBe 2_300
            state.failureReason!!.message shouldBe "down 3"
            client.close()
        }
    }

    test("the retry backoff waits exactly the fixed delay between attempts") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher<String> { throw IllegalStateException("down $it") }
            val options = QueryOptions(key, { fetcher() }, retry = 2, retryPolicy = RetryPolicy.fixed(1.seconds))
            launch { client.prefetchQuery(options) }
            runCurrent()
            fetcher.calls shouldBe 1
            advanceTimeBy(1_099.milliseconds) // first attempt failed at 100; retry due at 1100
            runCurrent()
            fetcher.calls shouldBe 1
            advanceTimeBy(1.milliseconds)
            runCurrent()
            fetcher.calls shouldBe 2
            client.getQueryState<String>(key)!!.brief() shouldBe "PENDING/FETCHING/null/1"
            client.close()
        }
    }

    test("a refetch of existing data goes SUCCESS/FETCHING with the old data, then SUCCESS/IDLE with the new") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options)
            val events = recordEvents(client)
            client.fetchQuery(options) shouldBe "v1"
            advanceTimeBy(100.milliseconds)
            runCurrent()
            events.describedFor(key) shouldBe listOf(
                "Updated(SUCCESS/FETCHING/v1/0)",
                "FetchStarted",
                "Updated(SUCCESS/IDLE/v2/0)",
                "FetchSettled(SUCCESS/IDLE/v2/0)",
            )
            client.close()
        }
    }

    test("removeQueries emits Removed with cause EXPLICIT") {
        runTest {
            val client = testClient()
            client.fetchQuery(QueryOptions(key, { "v1" }))
            val events = recordEvents(client)
            client.removeQueries(key)
            events.describedFor(key) shouldBe listOf("Removed(EXPLICIT)")
            val removed = events.single()
            removed.shouldBeInstanceOf<QueryCacheEvent.Removed>()
            removed.cause shouldBe QueryCacheEvent.RemovalCause.EXPLICIT
            client.close()
        }
    }

    test("removing a query with a fetch in flight settles that fetch back to IDLE before reporting the removal") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val events = recordEvents(client)
            launch { client.prefetchQuery(QueryOptions(key, { fetcher() })) }
            runCurrent()
            client.removeQueries(key)
            advanceTimeBy(1.seconds)
            runCurrent()
            events.describedFor(key) shouldBe listOf(
                "Added",
                "Updated(PENDING/FETCHING/null/0)",
                "FetchStarted",
                "Updated(IDLE/IDLE/null/0)",
                "FetchSettled(IDLE/IDLE/null/0, cancelled)",
                "Removed(EXPLICIT)",
            )
            client.close()
        }
    }

    test("a cancelled fetch reports FetchSettled with the restored state") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            client.fetchQuery(QueryOptions(key, { fetcher() }))
            val events = recordEvents(client)
            launch { client.fetchQuery(QueryOptions(key, { fetcher() })) }
            runCurrent()
            client.cancelQueries(key)
            events.describedFor(key) shouldBe listOf(
                "Updated(SUCCESS/FETCHING/v1/0)",
                "FetchStarted",
                "Updated(SUCCESS/IDLE/v1/0)",
                "FetchSettled(SUCCESS/IDLE/v1/0, cancelled)",
            )
            client.close()
        }
    }

    test("closing the client emits Removed with cause CLOSED for every query") {
        runTest {
            val client = testClient()
            client.setQueryData(queryKey("a"), 1)
            client.setQueryData(queryKey("b"), 2)
            val events = recordEvents(client)
            client.close()
            events.map { it.describe() } shouldBe listOf("Removed(CLOSED)", "Removed(CLOSED)")
            events.map { it.queryKey }.toSet() shouldBe setOf(queryKey("a"), queryKey("b"))
        }
    }

    test("getQueriesData and setQueriesData read and update every query a filter selects, and create none") {
        runTest {
            val client = testClient()
            client.setQueryData(queryKey("user", 2), "grace")
            client.setQueryData(queryKey("user", 1), "ada")
            client.setQueryData(queryKey("post", 1), "hello")
            client.watch(QueryOptions(queryKey("user", 3), { "linus" }, enabled = false)).subscribe { } // no data
            client.getQueriesData<String>(queryKey("user")) shouldBe
                mapOf(queryKey("user", 1) to "ada", queryKey("user", 2) to "grace", queryKey("user", 3) to null)
            client.getQueriesData<String>(queryKey("user")).keys.toList() shouldBe
                listOf(queryKey("user", 1), queryKey("user", 2), queryKey("user", 3))

            val written = client.setQueriesData<String>(queryKey("user")) { old -> (old ?: "nobody").uppercase() }
            written shouldBe
                mapOf(queryKey("user", 1) to "ADA", queryKey("user", 2) to "GRACE", queryKey("user", 3) to "NOBODY")
            client.getQueryData<String>(queryKey("post", 1)) shouldBe "hello"
            client.setQueriesData<String>(queryKey("missing")) { "x" } shouldBe emptyMap()
            client.getQueryState<String>(queryKey("missing")) shouldBe null
            client.getQueriesData<String>(QueryFilter.exact(queryKey("post", 1))) shouldBe
                mapOf(queryKey("post", 1) to "hello")
            client.close()
        }
    }

    test("setQueryData with updatedAt dates the data then: older data is stale sooner") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            advanceTimeBy(10.minutes)
            client.setQueryData(key, "from yesterday", updatedAt = currentTime - 2.minutes.inWholeMilliseconds)
            val created = client.getQueryState<String>(key)!!
            created.dataUpdatedAt shouldBe currentTime - 120_000
            created.isStale shouldBe true
            client.setQueryData(key, "recent", updatedAt = currentTime - 30_000)
            val updated = client.getQueryState<String>(key)!!
            updated.dataUpdatedAt shouldBe currentTime - 30_000
            updated.isStale shouldBe false
            updated.dataUpdateCount shouldBe 2
            advanceTimeBy(30.seconds)
            client.getQueryState<String>(key)!!.isStale shouldBe true
            shouldThrow<IllegalArgumentException> { client.setQueryData(key, "x", updatedAt = -1) }
            client.close()
        }
    }
})
