package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.async
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** The helpers built on fetchQuery / invalidateQueries: parallel, dependent, cached and invalidating functions. */
class QueryHelpersSpec : FunSpec({
    val keyA = queryKey("a")
    val keyB = queryKey("b")
    val keyC = queryKey("c")

    // ---------------------------------------------------------------- parallelQueries

    test("parallelQueries(pair) returns both results in order") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val a = FakeFetcher(latency = 200.milliseconds) { "a$it" }
            val b = FakeFetcher(latency = 100.milliseconds) { it * 10 }
            val result: Pair<String, Int> = client.parallelQueries(
                QueryOptions(keyA, {
                    a()
                }),
                QueryOptions(keyB, { b() }),
            )
            result shouldBe ("a1" to 10)
            a.calls shouldBe 1
            b.calls shouldBe 1
            client.close()
        }
    }

    test("parallelQueries(pair) runs the fetches concurrently: two 100 ms fetches finish at 100 ms") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val a = FakeFetcher(latency = 100.milliseconds) { "a" }
            val b = FakeFetcher(latency = 100.milliseconds) { "b" }
            client.parallelQueries(QueryOptions(keyA, { a() }), QueryOptions(keyB, { b() })) shouldBe ("a" to "b")
            currentTime shouldBe 100
            client.close()
        }
    }

    test("parallelQueries(triple) returns the three results in order, concurrently") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val a = FakeFetcher(latency = 300.milliseconds) { "a" }
            val b = FakeFetcher(latency = 100.milliseconds) { 2 }
            val c = FakeFetcher(latency = 200.milliseconds) { 3.0 }
            val result: Triple<String, Int, Double> = client.parallelQueries(
                QueryOptions(keyA, { a() }),
                QueryOptions(keyB, { b() }),
                QueryOptions(keyC, { c() }),
            )
            result shouldBe Triple("a", 2, 3.0)
            currentTime shouldBe 300
            client.close()
        }
    }

    test("parallelQueries(list) returns the results in the order of the options, not of completion") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val latencies = listOf(300, 100, 200)
            val fetchers = latencies.map { ms -> FakeFetcher(latency = ms.milliseconds) { "r$ms" } }
            val options = fetchers.mapIndexed { i, f -> QueryOptions(queryKey("item", i), { f() }) }
            client.parallelQueries(options) shouldBe listOf("r300", "r100", "r200")
            currentTime shouldBe 300
            fetchers.map { it.calls } shouldBe listOf(1, 1, 1)
            client.close()
        }
    }

    test("parallelQueries(list) of nothing returns an empty list") {
        runTest {
            val client = testClient()
            client.parallelQueries(emptyList<QueryOptions<String>>()) shouldBe emptyList()
            client.close()
        }
    }

    test("parallelQueries(pair): a failure propagates and the other fetch still completes into the cache") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val boom = IllegalStateException("boom")
            val a = FakeFetcher<String>(latency = 50.milliseconds) { throw boom }
            val b = FakeFetcher(latency = 100.milliseconds) { "b" }
            shouldThrow<IllegalStateException> {
                client.parallelQueries(QueryOptions(keyA, { a() }), QueryOptions(keyB, { b() }))
            }.original() shouldBe boom
            currentTime shouldBe 50 // the first failure is thrown without waiting for the other
            client.getQueryData<String>(keyB) shouldBe null
            client.getQueryState<String>(keyB)!!.isFetching shouldBe true
            advanceTimeBy(50.milliseconds)
            runCurrent()
            client.getQueryData<String>(keyB) shouldBe "b"
            client.getQueryState<String>(keyB)!!.brief() shouldBe "SUCCESS/IDLE/b/0"
            client.getQueryState<String>(keyA)!!.error shouldBe boom
            b.calls shouldBe 1
            client.close()
        }
    }

    test("parallelQueries(list): a failure propagates and the other fetches still complete into the cache") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val boom = IllegalArgumentException("boom")
            val ok1 = FakeFetcher(latency = 100.milliseconds) { "one" }
            val bad = FakeFetcher<String>(latency = 10.milliseconds) { throw boom }
            val ok2 = FakeFetcher(latency = 200.milliseconds) { "two" }
            shouldThrow<IllegalArgumentException> {
                client.parallelQueries(
                    listOf(QueryOptions(keyA, { ok1() }), QueryOptions(keyB, { bad() }), QueryOptions(keyC, { ok2() })),
                )
            }.original() shouldBe boom
            currentTime shouldBe 10
            advanceTimeBy(190.milliseconds)
            runCurrent()
            client.getQueryData<String>(keyA) shouldBe "one"
            client.getQueryData<String>(keyC) shouldBe "two"
            ok1.calls shouldBe 1
            ok2.calls shouldBe 1
            client.close()
        }
    }

    test("parallelQueries uses fresh cached data without calling its query function") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            client.setQueryData(keyA, "cached")
            val a = FakeFetcher(latency = 100.milliseconds) { "fetched-a" }
            val b = FakeFetcher(latency = 100.milliseconds) { "fetched-b" }
            client.parallelQueries(QueryOptions(keyA, { a() }), QueryOptions(keyB, { b() })) shouldBe
                ("cached" to "fetched-b")
            runCurrent()
            a.calls shouldBe 0
            b.calls shouldBe 1
            client.close()
        }
    }

    // ---------------------------------------------------------------- dependentQuery

    test("dependentQuery builds the second options from the first result and returns the second result") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val me = FakeFetcher { 7 }
            val posts = FakeFetcher { "posts-1" }
            val builtWith = mutableListOf<Int>()
            val result = client.dependentQuery(QueryOptions(queryKey("me"), { me() })) { id ->
                builtWith += id
                QueryOptions(queryKey("posts", id), { "${posts()} of $id" })
            }
            result shouldBe "posts-1 of 7"
            builtWith shouldBe listOf(7)
            client.getQueryData<String>(queryKey("posts", 7)) shouldBe "posts-1 of 7"
            client.getQueryData<Int>(queryKey("me")) shouldBe 7
            currentTime shouldBe 200 // one after the other
            me.calls shouldBe 1
            posts.calls shouldBe 1
            client.close()
        }
    }

    test("dependentQuery throws a failure of the first query and never calls the second query function") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val boom = IllegalStateException("no user")
            val me = FakeFetcher<Int> { throw boom }
            val posts = FakeFetcher { "posts" }
            var built = 0
            shouldThrow<IllegalStateException> {
                client.dependentQuery(QueryOptions(queryKey("me"), { me() })) { id ->
                    built++
                    QueryOptions(queryKey("posts", id), { posts() })
                }
            }.original() shouldBe boom
            advanceTimeBy(1.seconds)
            runCurrent()
            built shouldBe 0
            posts.calls shouldBe 0
            client.getQueryState<String>(queryKey("posts", 7)) shouldBe null
            client.close()
        }
    }

    // ---------------------------------------------------------------- cachedFunction

    test("cachedFunction: concurrent calls with one argument share one call") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val calls = mutableListOf<Int>()
            val user = client.cachedFunction(keyOf = { id: Int -> queryKey("user", id) }) { id ->
                calls += id
                FakeFetcher { "user-$id" }()
            }
            List(3) { async { user(1) } }.map { it.await() } shouldBe listOf("user-1", "user-1", "user-1")
            calls shouldBe listOf(1)
            currentTime shouldBe 100
            client.close()
        }
    }

    test("cachedFunction: different arguments are cached separately") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val calls = mutableListOf<Int>()
            val user = client.cachedFunction(keyOf = { id: Int -> queryKey("user", id) }) { id ->
                calls += id
                "user-$id"
            }
            user(1) shouldBe "user-1"
            user(2) shouldBe "user-2"
            user(1) shouldBe "user-1"
            user(2) shouldBe "user-2"
            runCurrent()
            calls shouldBe listOf(1, 2)
            client.getQueryData<String>(queryKey("user", 1)) shouldBe "user-1"
            client.getQueryData<String>(queryKey("user", 2)) shouldBe "user-2"
            client.close()
        }
    }

    test("cachedFunction: a fresh result comes from memory, without calling the function or suspending") {
        runTest {
            val client = testClient() // client default staleTime 0: the function's staleTime must win
            val fetcher = FakeFetcher { "v$it" }
            val user = client.cachedFunction(keyOf = { id: Int ->
                queryKey("user", id)
            }, staleTime = 1.minutes) { fetcher() }
            user(1) shouldBe "v1"
            advanceTimeBy(59.seconds)
            completesWithoutSuspending { user(1) } shouldBe "v1"
            runCurrent()
            fetcher.calls shouldBe 1
            client.close()
        }
    }

    test("cachedFunction: a result older than staleTime is returned at once and refetched in the background") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val user = client.cachedFunction(keyOf = { id: Int ->
                queryKey("user", id)
            }, staleTime = 1.minutes) { fetcher() }
            user(1) shouldBe "v1"
            advanceTimeBy(1.minutes)
            val before = currentTime
            user(1) shouldBe "v1"
            currentTime shouldBe before
            advanceTimeBy(100.milliseconds)
            runCurrent()
            fetcher.calls shouldBe 2
            user.peek(1) shouldBe "v2"
            client.close()
        }
    }

    test("cachedFunction.invalidate(arg): the next call returns the stale result at once and refetches it once") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val fetchers = mutableMapOf<Int, FakeFetcher<String>>()
            val user = client.cachedFunction(keyOf = { id: Int -> queryKey("user", id) }) { id ->
                fetchers.getOrPut(id) { FakeFetcher { "user-$id-v$it" } }()
            }
            user(1) shouldBe "user-1-v1"
            user(2) shouldBe "user-2-v1"
            user.invalidate(1)
            runCurrent()
            fetchers.getValue(1).calls shouldBe 1 // inactive: only marked
            client.getQueryState<String>(queryKey("user", 1))!!.isInvalidated shouldBe true
            client.getQueryState<String>(queryKey("user", 2))!!.isInvalidated shouldBe false
            val before = currentTime
            user(1) shouldBe "user-1-v1"
            currentTime shouldBe before
            user(1) shouldBe "user-1-v1" // joins the refetch in flight
            advanceTimeBy(100.milliseconds)
            runCurrent()
            fetchers.getValue(1).calls shouldBe 2
            user.peek(1) shouldBe "user-1-v2"
            user(1) shouldBe "user-1-v2" // fresh again
            user(2) shouldBe "user-2-v1"
            runCurrent()
            fetchers.getValue(1).calls shouldBe 2
            fetchers.getValue(2).calls shouldBe 1
            client.close()
        }
    }

    test("cachedFunction.invalidateAll invalidates every key the function made and no unrelated key") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val user = client.cachedFunction(keyOf = { id: Int -> queryKey("user", id) }) { id -> "user-$id" }
            user(1)
            user(2)
            user(3)
            client.fetchQuery(QueryOptions(queryKey("post", 1), { "post-1" }))
            user.invalidateAll()
            (1..3).map { client.getQueryState<String>(queryKey("user", it))!!.isInvalidated } shouldBe
                listOf(true, true, true)
            client.getQueryState<String>(queryKey("post", 1))!!.isInvalidated shouldBe false
            client.close()
        }
    }

    test("cachedFunction.invalidateAll before any call invalidates nothing") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val user = client.cachedFunction(keyOf = { id: Int -> queryKey("user", id) }) { id -> "user-$id" }
            client.setQueryData(queryKey("user", 1), "set")
            user.invalidateAll()
            client.getQueryState<String>(queryKey("user", 1))!!.isInvalidated shouldBe false
            client.close()
        }
    }

    test("cachedFunction.peek returns the cached value or null without calling the function") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val fetcher = FakeFetcher { "v$it" }
            val user = client.cachedFunction(keyOf = { id: Int -> queryKey("user", id) }) { fetcher() }
            user.peek(1) shouldBe null
            runCurrent()
            fetcher.calls shouldBe 0
            client.getQueryState<String>(queryKey("user", 1)) shouldBe null // peek creates no query
            user(1) shouldBe "v1"
            advanceTimeBy(2.minutes) // stale, still cached
            user.peek(1) shouldBe "v1"
            user.peek(2) shouldBe null
            runCurrent()
            fetcher.calls shouldBe 1
            client.close()
        }
    }

    // ---------------------------------------------------------------- invalidating

    test("invalidating: on success returns the result and invalidates every query under the prefixes, only those") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            for (key in listOf(queryKey("user", 1), queryKey("user", 2), queryKey("post", 1), queryKey("comment", 1))) {
                client.fetchQuery(QueryOptions(key, { "x" }))
            }
            val save = client.invalidating(queryKey("user"), queryKey("post")) { n: Int -> n * 2 }
            save(21) shouldBe 42
            client.getQueryState<String>(queryKey("user", 1))!!.isInvalidated shouldBe true
            client.getQueryState<String>(queryKey("user", 2))!!.isInvalidated shouldBe true
            client.getQueryState<String>(queryKey("post", 1))!!.isInvalidated shouldBe true
            client.getQueryState<String>(queryKey("comment", 1))!!.isInvalidated shouldBe false
            client.close()
        }
    }

    test("invalidating: an observed query under the prefix is refetched before the call returns") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val key = queryKey("user", 1)
            val fetcher = FakeFetcher { "v$it" }
            val subscription = client.watch(QueryOptions(key, { fetcher() })).subscribe {}
            advanceTimeBy(100.milliseconds)
            runCurrent()
            fetcher.calls shouldBe 1
            client.getQueryData<String>(key) shouldBe "v1"
            val save = client.invalidating(queryKey("user")) { _: Unit -> "saved" }
            val before = currentTime
            save(Unit) shouldBe "saved"
            currentTime shouldBe before + 100 // waited for the refetch
            fetcher.calls shouldBe 2
            client.getQueryState<String>(key)!!.brief() shouldBe "SUCCESS/IDLE/v2/0"
            client.getQueryState<String>(key)!!.isInvalidated shouldBe false
            subscription.close()
            client.close()
        }
    }

    test("invalidating: a failing function throws and invalidates nothing") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val observedKey = queryKey("user", 1)
            val idleKey = queryKey("user", 2)
            val fetcher = FakeFetcher { "v$it" }
            val subscription = client.watch(QueryOptions(observedKey, { fetcher() })).subscribe {}
            client.fetchQuery(QueryOptions(idleKey, { "idle" }))
            advanceTimeBy(100.milliseconds)
            runCurrent()
            fetcher.calls shouldBe 1
            val boom = IllegalStateException("write failed")
            val save = client.invalidating<Int, String>(queryKey("user")) { throw boom }
            shouldThrow<IllegalStateException> { save(1) }.original() shouldBe boom
            advanceTimeBy(1.seconds)
            runCurrent()
            fetcher.calls shouldBe 1
            client.getQueryState<String>(observedKey)!!.isInvalidated shouldBe false
            client.getQueryState<String>(idleKey)!!.isInvalidated shouldBe false
            subscription.close()
            client.close()
        }
    }
})
