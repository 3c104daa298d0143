package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import java.util.concurrent.Executor
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** `watchAll` and `watchDependent`: observers that combine queries or chain them, in virtual time. */
class CombinedObserverSpec : FunSpec({
    val user = queryKey("user")
    val posts = queryKey("posts")

    test(
        "watchAll attaches every query with its first subscriber, emits the combined value when it changes, detaches all with the last",
    ) {
        runTest {
            val client = testClient()
            val users = FakeFetcher(100.milliseconds) { "ada" }
            val feed = FakeFetcher(300.milliseconds) { listOf("p$it") }
            val combined = client.watchAll(
                listOf(QueryOptions(user, { users() }), QueryOptions(posts, { feed() })),
            ) { states ->
                states.map { if (it.hasData) it.data.toString() else it.status.name }
            }
            combined.current shouldBe listOf("IDLE", "IDLE") // nothing attached yet
            val seen = mutableListOf<List<String>>()
            val screen = launch { combined.state.collect { seen += it } }
            runCurrent()
            client.query<Any>(user).isActive shouldBe true
            client.query<Any>(posts).isActive shouldBe true
            settle()
            seen shouldBe listOf(listOf("PENDING", "PENDING"), listOf("ada", "PENDING"), listOf("ada", "[p1]"))
            screen.cancel()
            runCurrent()
            client.query<Any>(user).isActive shouldBe false
            client.query<Any>(posts).isActive shouldBe false
            client.close()
        }
    }

    test("an unchanged combination is neither emitted nor recomputed, and keeps its instance") {
        runTest {
            val client = testClient()
            var combines = 0
            val combined = client.watchAll(
                listOf(QueryOptions(user, { "ada" }), QueryOptions(posts, { "feed" })),
            ) { states ->
                combines++
                mapOf("ready" to states.all { it.isSuccess })
            }
            val seen = mutableListOf<Map<String, Boolean>>()
            val screen = launch { combined.state.collect { seen += it } }
            settle()
            seen shouldBe listOf(mapOf("ready" to false), mapOf("ready" to true))
            val ready = combined.current
            client.refetchQueries(user) // new child states, an equal combination
            settle()
            seen.size shouldBe 2
            combined.current shouldBe ready
            (combined.current === ready) shouldBe true
            val before = combines
            repeat(3) { combined.current } // unchanged child states: the memo answers
            combines shouldBe before
            screen.cancel()
            client.close()
        }
    }

    test("a combined listener on an executor gets every value through it, the first included") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            client.setQueryData(user, "ada")
            client.setQueryData(posts, "feed")
            val combined = client.watchAll(
                listOf(QueryOptions(user, { "x" }), QueryOptions(posts, { "y" })),
            ) { states ->
                states.joinToString { it.data.toString() }
            }
            val tasks = ArrayDeque<Runnable>()
            val executor = Executor { tasks.addLast(it) }
            val seen = mutableListOf<String>()
            val subscription = combined.subscribe({ seen += it }, executor)
            seen shouldBe emptyList()
            while (tasks.isNotEmpty()) tasks.removeFirst().run()
            seen shouldBe listOf("ada, feed")
            client.setQueryData(posts, "new feed")
            runCurrent()
            seen shouldBe listOf("ada, feed")
            while (tasks.isNotEmpty()) tasks.removeFirst().run()
            seen shouldBe listOf("ada, feed", "ada, new feed")
            subscription.close()
            runCurrent()
            client.query<Any>(user).isActive shouldBe false
            client.close()
        }
    }

    test("refetch refetches every query and returns the combined value; closing ends collectors") {
        runTest {
            val client = testClient()
            val users = FakeFetcher { "u$it" }
            val feed = FakeFetcher { "f$it" }
            val combined = client.watchAll(
                listOf(QueryOptions(user, { users() }), QueryOptions(posts, { feed() })),
            ) { states ->
                states.map { it.data }
            }
            combined.refetch() shouldBe listOf("u1", "f1")
            combined.refetch() shouldBe listOf("u2", "f2")
            val collector = async { runCatching { combined.state.collect { } } }
            runCurrent()
            client.close()
            runCurrent()
            collector.await().exceptionOrNull().shouldBeInstanceOf<CancellationException>()
        }
    }

    test("watchAll needs at least one query") {
        runTest {
            val client = testClient()
            shouldThrow<IllegalArgumentException> { client.watchAll(emptyList<QueryOptions<String>>()) { it } }
            client.close()
        }
    }

    test("watchDependent shows IDLE until the first query has data, then the second query built from it") {
        runTest {
            val client = testClient()
            val me = FakeFetcher { 7 }
            val feed = FakeFetcher { "posts of user 7 (call $it)" }
            val postsOf = { id: Int -> QueryOptions(queryKey("posts", id), { feed() }) }
            val observer = client.watchDependent(QueryOptions(user, { me() })) { id -> postsOf(id) }
            val seen = mutableListOf<String>()
            val screen = launch { observer.state.collect { seen += it.brief() } }
            settle()
            seen shouldBe
                listOf("IDLE/IDLE/null/0", "PENDING/FETCHING/null/0", "SUCCESS/IDLE/posts of user 7 (call 1)/0")
            me.calls shouldBe 1
            feed.calls shouldBe 1
            client.query<Any>(user).isActive shouldBe true
            client.query<Any>(queryKey("posts", 7)).isActive shouldBe true
            screen.cancel()
            runCurrent()
            client.query<Any>(queryKey("posts", 7)).isActive shouldBe false
            client.close()
        }
    }

    test("watchDependent moves to the new key when the first query's data changes, keeping the data shown if asked") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val feed = FakeFetcher { "feed $it" }
            client.setQueryData(user, 1)
            client.setQueryData(queryKey("posts", 1), "posts of 1")
            val observer = client.watchDependent(QueryOptions(user, { 1 }), keepPreviousData = true) { id ->
                QueryOptions(queryKey("posts", id), { feed() })
            }
            val seen = mutableListOf<String>()
            val screen = launch {
                observer.state.collect { seen += it.brief() + if (it.isPlaceholderData) "/placeholder" else "" }
            }
            runCurrent()
            client.setQueryData(user, 2)
            settle()
            seen shouldBe listOf(
                "SUCCESS/IDLE/posts of 1/0",
                "SUCCESS/FETCHING/posts of 1/0/placeholder",
                "SUCCESS/IDLE/feed 1/0",
            )
            client.setQueryData(user, 2) // equal data: no move, no fetch
            settle()
            feed.calls shouldBe 1
            screen.cancel()
            client.close()
        }
    }

    test("watchDependent shows the first query's error while it has no data; a failing options function is logged") {
        runTest {
            val client = testClient()
            val observer = client.watchDependent(QueryOptions(user, { error("no user") })) { id: Int ->
                QueryOptions(queryKey("posts", id), { "posts" })
            }
            val screen = launch { observer.state.collect { } }
            settle()
            observer.current.status shouldBe QueryStatus.ERROR
            observer.current.error!!.original().message shouldBe "no user"
            screen.cancel()

            val broken = client.watchDependent<Int, String>(QueryOptions(posts, { 1 })) { error("bad options") }
            val other = launch { broken.state.collect { } }
            settle()
            broken.current.brief() shouldBe "IDLE/IDLE/null/0" // logged; stays without a second query
            other.cancel()
            client.close()
        }
    }

    test("reading a dependent observer's value has no side effect; without the first query's data it is IDLE again") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            client.setQueryData(user, 3)
            client.setQueryData(queryKey("posts", 3), "posts of 3")
            var built = 0
            val observer = client.watchDependent(QueryOptions(user, { 3 }, enabled = false)) { id: Int ->
                built++
                QueryOptions(queryKey("posts", id), { "fetched" })
            }
            observer.current.brief() shouldBe "SUCCESS/IDLE/posts of 3/0" // read from the cache
            client.engine.store.size shouldBe 2 // nothing created, nothing attached
            built shouldBe 1
            val screen = launch { observer.state.collect { } }
            runCurrent()
            observer.current.data shouldBe "posts of 3"
            client.resetQueries(user) // no initial data, disabled: no refetch
            runCurrent()
            observer.current.brief() shouldBe "IDLE/IDLE/null/0"
            screen.cancel()
            client.close()
        }
    }
})
