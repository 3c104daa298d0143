package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.async
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** [brief] plus the invalidation flag, for sequences where invalidation matters. */
private fun QueryState<*>.briefInv(): String = "${brief()}/inv=$isInvalidated"

/**
 * Which of [keys] a filter selects, seen through the public API: every key is first filled with
 * `setQueryData` (no query function, so nothing is ever refetched), then the filter is used to
 * invalidate, and the selected keys are exactly the invalidated ones.
 */
private suspend fun QueryClient.selectedBy(filter: QueryFilter, keys: List<QueryKey>): Set<QueryKey> {
    check(keys.none { getQueryState<Any?>(it)!!.isInvalidated }) { "a key was invalidated before the filter ran" }
    invalidateQueries(filter)
    return keys.filter { getQueryState<Any?>(it)!!.isInvalidated }.toSet()
}

/** Starts a cold fetch of [options] in the test scope and returns its outcome, failures included. */
private fun <T> TestScope.waiterOf(client: QueryClient, options: QueryOptions<T>) =
    async { runCatching { client.fetchQuery(options) } }

class FiltersAndInvalidationSpec : FunSpec({
    val key = queryKey("user", 1)

    // ---------------------------------------------------------------- key filters

    test("a prefix filter matches the key itself and longer keys, but not a sibling that only shares characters") {
        runTest {
            val client = testClient()
            val keys = listOf(
                queryKey("user"),
                queryKey("user", 1),
                queryKey("user", 1, "posts"),
                queryKey("users"),
                queryKey("users", 1),
                queryKey("admin", "user"),
            )
            keys.forEach { client.setQueryData(it, "x") }
            client.selectedBy(QueryFilter.prefix(queryKey("user")), keys) shouldBe
                setOf(queryKey("user"), queryKey("user", 1), queryKey("user", 1, "posts"))
            client.close()
        }
    }

    test("a prefix filter compares segments by value and type: 1 and 1L match, the string \"1\" does not") {
        runTest {
            val client = testClient()
            val keys = listOf(queryKey("user", 1), queryKey("user", "1"), queryKey("user", 1.0))
            keys.forEach { client.setQueryData(it, "x") }
            client.selectedBy(QueryFilter.prefix(queryKey("user", 1L)), keys) shouldBe setOf(queryKey("user", 1))
            client.close()
        }
    }

    test("an exact filter matches only the key itself, not the longer keys it is a prefix of") {
        runTest {
            val client = testClient()
            val keys = listOf(queryKey("user"), queryKey("user", 1), queryKey("user", 1, "posts"), queryKey("user", 2))
            keys.forEach { client.setQueryData(it, "x") }
            client.selectedBy(QueryFilter.exact(queryKey("user", 1)), keys) shouldBe setOf(queryKey("user", 1))
            client.close()
        }
    }

    test("an exact filter for a key with no cached query matches nothing") {
        runTest {
            val client = testClient()
            val keys = listOf(queryKey("user"), queryKey("user", 1, "posts"))
            keys.forEach { client.setQueryData(it, "x") }
            client.selectedBy(QueryFilter.exact(queryKey("user", 1)), keys) shouldBe emptySet()
            client.close()
        }
    }

    test("a filter with the empty key matches every query") {
        runTest {
            val client = testClient()
            val keys = listOf(queryKey("user", 1), queryKey("post", 7), queryKey(true), queryKey(2.5))
            keys.forEach { client.setQueryData(it, "x") }
            client.selectedBy(QueryFilter.prefix(QueryKey.EMPTY), keys) shouldBe keys.toSet()
            client.close()
        }
    }

    test("QueryFilter.ALL matches every query") {
        runTest {
            val client = testClient()
            val keys = listOf(queryKey("user", 1), queryKey("post", 7), queryKey("a", "b", "c"))
            keys.forEach { client.setQueryData(it, "x") }
            client.selectedBy(QueryFilter.ALL, keys) shouldBe keys.toSet()
            client.close()
        }
    }

    test("type ACTIVE selects only observed queries") {
        runTest {
            val client = testClient()
            val keys = listOf(queryKey("user", 1), queryKey("user", 2), queryKey("post", 1))
            keys.forEach { client.setQueryData(it, "x") }
            client.observe(queryKey("user", 2))
            client.observe(queryKey("post", 1))
            client.selectedBy(QueryFilter(type = QueryFilter.Type.ACTIVE), keys) shouldBe
                setOf(queryKey("user", 2), queryKey("post", 1))
            client.close()
        }
    }

    test("type INACTIVE selects only unobserved queries") {
        runTest {
            val client = testClient()
            val keys = listOf(queryKey("user", 1), queryKey("user", 2), queryKey("post", 1))
            keys.forEach { client.setQueryData(it, "x") }
            client.observe(queryKey("user", 2))
            client.selectedBy(QueryFilter(type = QueryFilter.Type.INACTIVE), keys) shouldBe
                setOf(queryKey("user", 1), queryKey("post", 1))
            client.close()
        }
    }

    test("type ACTIVE combines with a key prefix") {
        runTest {
            val client = testClient()
            val keys = listOf(queryKey("user", 1), queryKey("user", 2), queryKey("post", 1))
            keys.forEach { client.setQueryData(it, "x") }
            keys.forEach { client.observe(it) }
            client.selectedBy(QueryFilter(queryKey("user"), type = QueryFilter.Type.ACTIVE), keys) shouldBe
                setOf(queryKey("user", 1), queryKey("user", 2))
            client.close()
        }
    }

    test("stale = true selects queries whose data reached its stale time, judged by each query's own options") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val old = queryKey("old")
            val recent = queryKey("recent")
            val forever = queryKey("forever")
            client.setQueryData(old, "x")
            client.fetchQuery(QueryOptions(forever, { "y" }, staleTime = Duration.INFINITE))
            advanceTimeBy(1.minutes)
            client.setQueryData(recent, "z")
            client.selectedBy(QueryFilter(stale = true), listOf(old, recent, forever)) shouldBe setOf(old)
            client.close()
        }
    }

    test("stale = false selects only fresh queries") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val old = queryKey("old")
            val recent = queryKey("recent")
            val forever = queryKey("forever")
            client.setQueryData(old, "x")
            client.fetchQuery(QueryOptions(forever, { "y" }, staleTime = Duration.INFINITE))
            advanceTimeBy(1.minutes)
            client.setQueryData(recent, "z")
            client.selectedBy(QueryFilter(stale = false), listOf(old, recent, forever)) shouldBe setOf(recent, forever)
            client.close()
        }
    }

    test("an invalidated query counts as stale for the stale filter even with an infinite stale time") {
        runTest {
            val client = testClient(staleTime = Duration.INFINITE)
            val a = queryKey("a")
            val b = queryKey("b")
            client.setQueryData(a, "x")
            client.setQueryData(b, "y")
            client.invalidateQueries(QueryFilter.exact(a))
            client.removeQueries(QueryFilter(stale = true))
            client.getQueryState<String>(a) shouldBe null
            client.getQueryData<String>(b) shouldBe "y"
            client.close()
        }
    }

    test("a predicate selects by key and state, on top of the key prefix") {
        runTest {
            val client = testClient()
            val keys = listOf(queryKey("user", 1), queryKey("user", 2), queryKey("user", 3), queryKey("post", 2))
            keys.forEachIndexed { i, k -> client.setQueryData(k, i * 10) }
            val filter = QueryFilter(
                queryKey("user"),
                predicate = { k, state -> k[1] != 3L && (state.data as Int) >= 10 },
            )
            client.selectedBy(filter, keys) shouldBe setOf(queryKey("user", 2))
            client.close()
        }
    }

    test("queryCount counts the queries a filter selects, the empty exact key selecting none") {
        runTest {
            val client = testClient()
            client.queryCount() shouldBe 0
            for (k in listOf(queryKey("user", 1), queryKey("user", 2), queryKey("post", 1))) client.setQueryData(k, 0)
            client.observe(queryKey("user", 2))
            client.queryCount() shouldBe 3
            client.queryCount(QueryFilter.prefix(queryKey("user"))) shouldBe 2
            client.queryCount(QueryFilter.prefix(QueryKey.EMPTY)) shouldBe 3
            client.queryCount(QueryFilter.exact(QueryKey.EMPTY)) shouldBe 0
            client.queryCount(QueryFilter(type = QueryFilter.Type.ACTIVE)) shouldBe 1
            client.queryCount(QueryFilter(type = QueryFilter.Type.INACTIVE)) shouldBe 2
            client.removeQueries(queryKey("post"))
            client.queryCount() shouldBe 2
            client.close()
        }
    }

    test("isFetching counts the matched queries with a fetch in flight") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            client.setQueryData(queryKey("user", 3), "idle")
            for (k in listOf(queryKey("user", 1), queryKey("user", 2), queryKey("post", 1))) {
                launch { client.prefetchQuery(QueryOptions(k, { fetcher() })) }
            }
            runCurrent()
            client.isFetching() shouldBe 3
            client.isFetching(queryKey("user")) shouldBe 2
            client.isFetching(QueryFilter.exact(queryKey("user", 3))) shouldBe 0
            client.isFetching(queryKey("comment")) shouldBe 0
            advanceTimeBy(100.milliseconds)
            runCurrent()
            client.isFetching() shouldBe 0
            fetcher.calls shouldBe 3
            client.close()
        }
    }

    // ---------------------------------------------------------------- invalidateQueries

    test(
        "with an infinite stale time, invalidated data is returned at once by fetchQuery and refetched in the background",
    ) {
        runTest {
            val client = testClient(staleTime = Duration.INFINITE)
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options) shouldBe "v1"
            advanceTimeBy(1.minutes)
            client.fetchQuery(options) shouldBe "v1"
            runCurrent()
            fetcher.calls shouldBe 1

            client.invalidateQueries(key)
            val before = currentTime
            client.fetchQuery(options) shouldBe "v1"
            currentTime shouldBe before
            runCurrent()
            fetcher.calls shouldBe 2
            advanceTimeBy(100.milliseconds)
            runCurrent()
            client.getQueryData<String>(key) shouldBe "v2"
            client.fetchQuery(options) shouldBe "v2"
            runCurrent()
            fetcher.calls shouldBe 2
            client.close()
        }
    }

    test("invalidation sets the flag without touching the data, and the next successful fetch clears it") {
        runTest {
            val client = testClient(staleTime = Duration.INFINITE)
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options)
            val events = recordEvents(client)
            client.invalidateQueries(key)
            client.fetchQuery(options)
            advanceTimeBy(100.milliseconds)
            runCurrent()
            events.statesOf(key).map { it.briefInv() } shouldBe listOf(
                "SUCCESS/IDLE/v1/0/inv=true",
                "SUCCESS/FETCHING/v1/0/inv=true",
                "SUCCESS/IDLE/v2/0/inv=false",
            )
            client.close()
        }
    }

    test("setQueryData clears the invalidation flag") {
        runTest {
            val client = testClient(staleTime = Duration.INFINITE)
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options)
            val events = recordEvents(client)
            client.invalidateQueries(key)
            client.setQueryData(key, "manual")
            events.statesOf(key).map { it.briefInv() } shouldBe listOf(
                "SUCCESS/IDLE/v1/0/inv=true",
                "SUCCESS/IDLE/manual/0/inv=false",
            )
            client.close()
        }
    }

    test("invalidating an unobserved query only marks it: nothing is refetched and the call does not wait") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            client.fetchQuery(QueryOptions(key, { fetcher() }))
            val events = recordEvents(client)
            val before = currentTime
            client.invalidateQueries(key)
            currentTime shouldBe before
            advanceTimeBy(1.minutes)
            runCurrent()
            fetcher.calls shouldBe 1
            events.statesOf(key).map { it.briefInv() } shouldBe listOf("SUCCESS/IDLE/v1/0/inv=true")
            client.close()
        }
    }

    test("invalidating an observed query refetches it at once and waits for the refetch") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            client.fetchQuery(QueryOptions(key, { fetcher() }))
            client.observe(key)
            val events = recordEvents(client)
            val before = currentTime
            client.invalidateQueries(key)
            currentTime shouldBe before + 100
            fetcher.calls shouldBe 2
            events.statesOf(key).map { it.briefInv() } shouldBe listOf(
                "SUCCESS/IDLE/v1/0/inv=true",
                "SUCCESS/FETCHING/v1/0/inv=true",
                "SUCCESS/IDLE/v2/0/inv=false",
            )
            client.close()
        }
    }

    test("invalidating an observed query made only by setQueryData marks it and fetches nothing") {
        runTest {
            val client = testClient()
            client.setQueryData(key, "manual")
            client.observe(key)
            val events = recordEvents(client)
            client.invalidateQueries(key)
            runCurrent()
            events.statesOf(key).map { it.briefInv() } shouldBe listOf("SUCCESS/IDLE/manual/0/inv=true")
            client.close()
        }
    }

    test("invalidating an observed query with data and a fetch in flight cancels that fetch and starts a new one") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options)
            val events = recordEvents(client)
            launch { client.refetchQueries(key) }
            runCurrent()
            client.observe(key)
            advanceTimeBy(50.milliseconds)
            client.invalidateQueries(key)
            currentTime shouldBe 250
            advanceTimeBy(1.seconds)
            runCurrent()
            fetcher.calls shouldBe 3
            client.getQueryData<String>(key) shouldBe "v3"
            events.statesOf(key).map { it.briefInv() } shouldBe listOf(
                "SUCCESS/FETCHING/v1/0/inv=false",
                "SUCCESS/FETCHING/v1/0/inv=true",
                "SUCCESS/IDLE/v1/0/inv=true",
                "SUCCESS/FETCHING/v1/0/inv=true",
                "SUCCESS/IDLE/v3/0/inv=false",
            )
            client.close()
        }
    }

    test("invalidating an observed query still loading its first data joins that fetch, which settles invalidated") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val events = recordEvents(client)
            val waiter = async { client.fetchQuery(QueryOptions(key, { fetcher() })) }
            runCurrent()
            client.observe(key)
            advanceTimeBy(50.milliseconds)
            client.invalidateQueries(key)
            currentTime shouldBe 100
            waiter.await() shouldBe "v1" // not failed by the invalidation, as in TanStack
            fetcher.calls shouldBe 1
            events.statesOf(key).map { it.briefInv() } shouldBe listOf(
                "PENDING/FETCHING/null/0/inv=false",
                "PENDING/FETCHING/null/0/inv=true",
                "SUCCESS/IDLE/v1/0/inv=true",
            )
            client.close()
        }
    }

    test("invalidating an unobserved query while its fetch is in flight lets the fetch finish, still invalidated") {
        runTest {
            val client = testClient(staleTime = Duration.INFINITE)
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            val events = recordEvents(client)
            val waiter = waiterOf(client, options)
            runCurrent()
            advanceTimeBy(50.milliseconds)
            client.invalidateQueries(key)
            currentTime shouldBe 50
            waiter.await().getOrThrow() shouldBe "v1"
            currentTime shouldBe 100
            fetcher.calls shouldBe 1
            events.statesOf(key).map { it.briefInv() } shouldBe listOf(
                "PENDING/FETCHING/null/0/inv=false",
                "PENDING/FETCHING/null/0/inv=true",
                "SUCCESS/IDLE/v1/0/inv=true",
            )
            client.close()
        }
    }

    test(
        "a failing refetch of an invalidated observed query is recorded in state, not thrown, and it stays invalidated",
    ) {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { if (it == 1) "v1" else throw IllegalStateException("down") }
            client.fetchQuery(QueryOptions(key, { fetcher() }))
            client.observe(key)
            val events = recordEvents(client)
            client.invalidateQueries(key)
            fetcher.calls shouldBe 2
            events.statesOf(key).map { it.briefInv() } shouldBe listOf(
                "SUCCESS/IDLE/v1/0/inv=true",
                "SUCCESS/FETCHING/v1/0/inv=true",
                "ERROR/IDLE/v1/1/inv=true",
            )
            client.getQueryState<String>(key)!!.error!!.message shouldBe "down"
            client.close()
        }
    }

    // ---------------------------------------------------------------- refetchQueries

    test("refetchQueries refetches every matched query that has a query function and waits for all of them") {
        runTest {
            val client = testClient()
            val users = FakeFetcher { "u$it" }
            val posts = FakeFetcher { "p$it" }
            client.fetchQuery(QueryOptions(queryKey("user", 1), { users() }))
            client.fetchQuery(QueryOptions(queryKey("user", 2), { users() }))
            client.fetchQuery(QueryOptions(queryKey("post", 1), { posts() }))
            val before = currentTime
            client.refetchQueries(queryKey("user"))
            currentTime shouldBe before + 100
            users.calls shouldBe 4
            posts.calls shouldBe 1
            setOf(
                client.getQueryData<String>(queryKey("user", 1)),
                client.getQueryData<String>(queryKey("user", 2)),
            ) shouldBe
                setOf("u3", "u4")
            client.getQueryData<String>(queryKey("post", 1)) shouldBe "p1"
            client.close()
        }
    }

    test("refetchQueries joins a fetch already in flight instead of starting another") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val waiter = waiterOf(client, QueryOptions(key, { fetcher() }))
            runCurrent()
            advanceTimeBy(50.milliseconds)
            client.refetchQueries(key)
            currentTime shouldBe 100
            fetcher.calls shouldBe 1
            waiter.await().getOrThrow() shouldBe "v1"
            client.getQueryData<String>(key) shouldBe "v1"
            client.close()
        }
    }

    test("refetchQueries skips a query made only by setQueryData") {
        runTest {
            val client = testClient()
            client.setQueryData(key, "manual")
            val events = recordEvents(client)
            client.refetchQueries()
            runCurrent()
            currentTime shouldBe 0
            events shouldBe emptyList()
            client.getQueryData<String>(key) shouldBe "manual"
            client.close()
        }
    }

    test("refetchQueries skips a disabled query") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            client.fetchQuery(QueryOptions(key, { fetcher() }, enabled = false)) shouldBe "v1"
            client.refetchQueries()
            runCurrent()
            currentTime shouldBe 100
            fetcher.calls shouldBe 1
            client.close()
        }
    }

    // ---------------------------------------------------------------- removeQueries

    test("removeQueries with a prefix removes only the matched queries") {
        runTest {
            val client = testClient()
            val keys = listOf(queryKey("user"), queryKey("user", 1), queryKey("users", 1), queryKey("post", 1))
            keys.forEach { client.setQueryData(it, "x") }
            client.removeQueries(queryKey("user"))
            keys.filter { client.getQueryState<String>(it) != null } shouldBe
                listOf(queryKey("users", 1), queryKey("post", 1))
            client.close()
        }
    }

    test("a waiter of a fetch removed by removeQueries gets QueryCancelledException and the fetch writes nothing") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val waiter = waiterOf(client, QueryOptions(key, { fetcher() }))
            runCurrent()
            advanceTimeBy(50.milliseconds)
            client.removeQueries(key)
            val error = waiter.await().exceptionOrNull()!!.original()
            error.shouldBeInstanceOf<QueryCancelledException>()
            error.queryKey shouldBe key
            advanceTimeBy(1.seconds)
            runCurrent()
            fetcher.calls shouldBe 1
            client.getQueryState<String>(key) shouldBe null
            client.close()
        }
    }

    test("after removeQueries the next fetchQuery starts from scratch and waits") {
        runTest {
            val client = testClient(staleTime = Duration.INFINITE)
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options) shouldBe "v1"
            client.removeQueries(key)
            client.fetchQuery(options) shouldBe "v2"
            currentTime shouldBe 200
            client.close()
        }
    }

    // ---------------------------------------------------------------- resetQueries

    test("resetQueries puts an unobserved query back to IDLE with no data and does not refetch it") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            client.fetchQuery(QueryOptions(key, { fetcher() }))
            client.resetQueries(key)
            currentTime shouldBe 100
            advanceTimeBy(1.minutes)
            runCurrent()
            fetcher.calls shouldBe 1
            val state = client.getQueryState<String>(key)!!
            state.brief() shouldBe "IDLE/IDLE/null/0"
            state.hasData shouldBe false
            state.dataUpdatedAt shouldBe 0
            state.isInvalidated shouldBe false
            client.close()
        }
    }

    test("resetQueries puts a query with initialData back to its initial data") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() }, initialData = "initial", initialDataUpdatedAt = 0L)
            client.fetchQuery(options) shouldBe "initial"
            advanceTimeBy(100.milliseconds)
            runCurrent()
            client.getQueryData<String>(key) shouldBe "v1"
            advanceTimeBy(1.minutes)
            client.resetQueries(key)
            val state = client.getQueryState<String>(key)!!
            state.brief() shouldBe "SUCCESS/IDLE/initial/0"
            state.dataUpdatedAt shouldBe 0
            fetcher.calls shouldBe 1
            client.close()
        }
    }

    test("resetQueries cancels a fetch in flight: its waiter gets QueryCancelledException and the query stays IDLE") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val events = recordEvents(client)
            val waiter = waiterOf(client, QueryOptions(key, { fetcher() }))
            runCurrent()
            advanceTimeBy(50.milliseconds)
            client.resetQueries(key)
            waiter.await().exceptionOrNull()!!.original().shouldBeInstanceOf<QueryCancelledException>()
            advanceTimeBy(1.seconds)
            runCurrent()
            fetcher.calls shouldBe 1
            // the reset state replaces the cancelled fetch's state in one step
            events.statesOf(key).map { it.brief() } shouldBe listOf("PENDING/FETCHING/null/0", "IDLE/IDLE/null/0")
            client.close()
        }
    }

    test("resetQueries refetches an observed query after resetting it and waits for the refetch") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            client.fetchQuery(QueryOptions(key, { fetcher() }))
            client.observe(key)
            val events = recordEvents(client)
            client.resetQueries(key)
            currentTime shouldBe 200
            fetcher.calls shouldBe 2
            events.statesOf(key).map { it.brief() } shouldBe listOf(
                "IDLE/IDLE/null/0",
                "PENDING/FETCHING/null/0",
                "SUCCESS/IDLE/v2/0",
            )
            client.close()
        }
    }

    // ---------------------------------------------------------------- cancelQueries

    test("cancelling a cold fetch puts the query back to IDLE with no data, never leaving it FETCHING") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val events = recordEvents(client)
            launch { client.prefetchQuery(QueryOptions(key, { fetcher() })) }
            runCurrent()
            advanceTimeBy(50.milliseconds)
            client.cancelQueries(key)
            advanceTimeBy(1.seconds)
            runCurrent()
            fetcher.calls shouldBe 1
            events.statesOf(key).map { it.brief() } shouldBe listOf("PENDING/FETCHING/null/0", "IDLE/IDLE/null/0")
            val state = client.getQueryState<String>(key)!!
            state.hasData shouldBe false
            state.dataUpdatedAt shouldBe 0
            state.error shouldBe null
            client.close()
        }
    }

    test("the waiter of a cancelled cold fetch gets QueryCancelledException") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val waiter = waiterOf(client, QueryOptions(key, { fetcher() }))
            runCurrent()
            advanceTimeBy(50.milliseconds)
            client.cancelQueries(key)
            val error = waiter.await().exceptionOrNull()!!.original()
            error.shouldBeInstanceOf<QueryCancelledException>()
            error.queryKey shouldBe key
            currentTime shouldBe 50
            client.close()
        }
    }

    test("cancelling a refetch of existing data restores the old data with fetchStatus IDLE") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options)
            advanceTimeBy(1.seconds)
            val events = recordEvents(client)
            client.fetchQuery(options) shouldBe "v1"
            runCurrent()
            advanceTimeBy(50.milliseconds)
            client.cancelQueries(key)
            advanceTimeBy(1.seconds)
            runCurrent()
            fetcher.calls shouldBe 2
            events.statesOf(key).map { it.brief() } shouldBe listOf("SUCCESS/FETCHING/v1/0", "SUCCESS/IDLE/v1/0")
            client.getQueryState<String>(key)!!.dataUpdatedAt shouldBe 100
            client.close()
        }
    }

    test("data written by setQueryData during a fetch is kept when that fetch is cancelled") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val events = recordEvents(client)
            launch { client.prefetchQuery(QueryOptions(key, { fetcher() })) }
            runCurrent()
            advanceTimeBy(50.milliseconds)
            client.setQueryData(key, "manual")
            client.cancelQueries(key)
            advanceTimeBy(1.seconds)
            runCurrent()
            events.statesOf(key).map { it.brief() } shouldBe listOf(
                "PENDING/FETCHING/null/0",
                "SUCCESS/FETCHING/manual/0",
                "SUCCESS/IDLE/manual/0",
            )
            client.getQueryState<String>(key)!!.dataUpdatedAt shouldBe 50
            client.close()
        }
    }

    test(
        "data written by setQueryData during a refetch is kept on cancel even in the millisecond the old data was written",
    ) {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options) shouldBe "v1" // dataUpdatedAt = 100
            val events = recordEvents(client)
            client.fetchQuery(options) shouldBe "v1" // stale at once: background refetch starts at 100
            client.setQueryData(key, "manual") // also at 100
            client.cancelQueries(key)
            runCurrent()
            events.statesOf(key).map { it.brief() } shouldBe listOf(
                "SUCCESS/FETCHING/v1/0",
                "SUCCESS/FETCHING/manual/0",
                "SUCCESS/IDLE/manual/0",
            )
            client.close()
        }
    }

    test("cancelQueries with a prefix cancels only the matched fetches") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val post = queryKey("post", 1)
            launch { client.prefetchQuery(QueryOptions(key, { fetcher() })) }
            launch { client.prefetchQuery(QueryOptions(post, { fetcher() })) }
            runCurrent()
            advanceTimeBy(50.milliseconds)
            client.cancelQueries(queryKey("user"))
            client.isFetching() shouldBe 1
            advanceTimeBy(50.milliseconds)
            runCurrent()
            client.getQueryState<String>(key)!!.brief() shouldBe "IDLE/IDLE/null/0"
            client.getQueryState<String>(post)!!.isSuccess shouldBe true
            fetcher.calls shouldBe 2
            client.close()
        }
    }

    test("cancelQueries on a query with no fetch in flight changes nothing") {
        runTest {
            val client = testClient()
            client.fetchQuery(QueryOptions(key, { "v1" }))
            val before = client.getQueryState<String>(key)
            val events = recordEvents(client)
            client.cancelQueries()
            runCurrent()
            events shouldBe emptyList()
            client.getQueryState<String>(key) shouldBe before
            client.close()
        }
    }

    test("cancelQueries with revert = false settles the query in ERROR with the cancellation, keeping its data") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options)
            val refetch = async { runCatching { client.refetchQueries(key) } }
            runCurrent()
            client.getQueryState<String>(key)!!.isFetching shouldBe true
            client.cancelQueries(key, revert = false)
            val state = client.getQueryState<String>(key)!!
            state.brief() shouldBe "ERROR/IDLE/v1/1"
            state.error.shouldBeInstanceOf<QueryCancelledException>()
            state.failureReason shouldBe state.error
            state.errorUpdateCount shouldBe 1
            state.errorUpdatedAt shouldBe currentTime
            state.isRefetchError shouldBe true
            refetch.await()
            client.close()
        }
    }

    test("cancelQueries reverts by default: the state before the fetch, IDLE") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options)
            val before = client.getQueryState<String>(key)!!
            val refetch = async { runCatching { client.refetchQueries(key) } }
            runCurrent()
            client.cancelQueries(key)
            client.getQueryState<String>(key) shouldBe before
            refetch.await()
            client.close()
        }
    }

    test("a fetchStatus filter selects the queries fetching now, or those that are not") {
        runTest {
            val client = testClient()
            val fetching = queryKey("user", 1)
            val idle = queryKey("user", 2)
            client.setQueryData(idle, "idle")
            val slow = async { client.fetchQuery(QueryOptions(fetching, { FakeFetcher { "v" }() })) }
            runCurrent()
            client.getQueriesData<String>(
                QueryFilter(queryKey("user"), fetchStatus = FetchStatus.FETCHING),
            ).keys shouldBe
                setOf(fetching)
            client.getQueriesData<String>(QueryFilter(queryKey("user"), fetchStatus = FetchStatus.IDLE)).keys shouldBe
                setOf(idle)
            client.isFetching(QueryFilter(fetchStatus = FetchStatus.IDLE)) shouldBe 0
            QueryFilter.builder().fetchStatus(FetchStatus.FETCHING).build().fetchStatus shouldBe FetchStatus.FETCHING
            slow.await()
            client.getQueriesData<String>(QueryFilter(fetchStatus = FetchStatus.FETCHING)) shouldBe emptyMap()
            client.close()
        }
    }
})
