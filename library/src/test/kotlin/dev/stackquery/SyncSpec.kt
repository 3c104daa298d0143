package dev.stackquery

import dev.stackquery.internal.sync.SyncBridge
import dev.stackquery.storage.InMemoryStorage
import dev.stackquery.sync.SyncListener
import dev.stackquery.sync.SyncTransport
import dev.stackquery.testing.FaultyStorage
import dev.stackquery.testing.InMemorySyncHub
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.delay
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.hours
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** Two instances sharing a storage and a sync channel. */
private class Fleet(scope: TestScope) {
    val hub = InMemorySyncHub()
    val storage = InMemoryStorage { scope.testScheduler.currentTime }
    val transportA = hub.transport()
    val transportB = hub.transport()
    val a = client(scope, transportA)
    val b = client(scope, transportB)

    private fun client(scope: TestScope, transport: InMemorySyncHub.Transport) = QueryClient(
        QueryClientConfig(
            staleTime = 10.minutes,
            retry = 0,
            clock = QueryClock { scope.testScheduler.currentTime },
            coroutineContext = StandardTestDispatcher(scope.testScheduler),
            storage = storage,
            sync = transport,
        ),
    )

    fun close() {
        a.close()
        b.close()
    }
}

private val key = queryKey("user", 1)

/** A transport that only hands its listener to the test, which plays the other instances. */
private class CapturingTransport : SyncTransport {
    @Volatile
    var listener: SyncListener? = null

    override suspend fun start(listener: SyncListener) {
        this.listener = listener
    }

    override suspend fun publish(message: String) {}

    override fun close() {}
}

/** A message from another instance. */
private fun remote(op: String, key: QueryKey, exact: Boolean = true): String =
    """{"v":1,"origin":"elsewhere","op":"$op","key":$key,"exact":$exact}"""

/** Cross-instance coherence through QueryClientConfig.sync (issue 8), with an in-memory channel in virtual time. */
class SyncSpec : FunSpec({
    test(
        "A invalidates a prefix: B's active query refetches, its inactive one is marked; A never applies its own message",
    ) {
        runTest {
            val fleet = Fleet(this)
            val fetcherA = FakeFetcher { "a$it" }
            val fetcherB = FakeFetcher { "b$it" }
            fleet.a.fetchQuery(queryOptions(key, queryFn = { fetcherA() }))
            fleet.a.flush()
            fleet.b.fetchQuery(queryOptions(key, queryFn = { fetcherB() })) shouldBe "a1" // hydrated from A's write
            fleet.b.fetchQuery(queryOptions(queryKey("user", 2), queryFn = { "inactive" }))
            val observer = fleet.b.watch(queryOptions(key, queryFn = { fetcherB() }))
            val subscription = observer.subscribe { }
            runCurrent()
            fetcherB.calls shouldBe 0

            fleet.a.invalidateQueries(queryKey("user"))
            advanceTimeBy(200.milliseconds)
            runCurrent()
            fetcherB.calls shouldBe 1
            fleet.b.queries(key).single().lastFetchReason shouldBe FetchReason.SYNC
            observer.current.data shouldBe "b1"
            fleet.b.getQueryState<String>(queryKey("user", 2))!!.isInvalidated shouldBe true
            fetcherA.calls shouldBe 1 // A's query is inactive: marked, not refetched, and not twice
            fleet.a.getQueryState<String>(key)!!.isInvalidated shouldBe true
            subscription.unsubscribe()
            fleet.close()
        }
    }

    test("A sets data: B's observer sees it without a fetch; a key B does not hold stays absent") {
        runTest {
            val fleet = Fleet(this)
            val fetcherB = FakeFetcher { "b$it" }
            fleet.a.fetchQuery(queryOptions(key, queryFn = { "server" }))
            val observer = fleet.b.watch(queryOptions(key, queryFn = { fetcherB() }))
            val seen = mutableListOf<Any?>()
            val subscription = observer.subscribe { seen += it.data }
            runCurrent()
            fleet.a.setQueryData(key, "edited by A")
            fleet.a.setQueryData(queryKey("elsewhere"), 1)
            runCurrent()
            observer.current.data shouldBe "edited by A"
            seen.last() shouldBe "edited by A"
            fetcherB.calls shouldBe 0
            fleet.b.getQueryState<Int>(queryKey("elsewhere")) shouldBe null
            subscription.unsubscribe()
            fleet.close()
        }
    }

    test("A sets data on a query without a codec: B invalidates (and refetches) its copy instead") {
        runTest {
            val fleet = Fleet(this)
            val fetcherB = FakeFetcher { "b$it" }
            fleet.b.fetchQuery(QueryOptions(key, { fetcherB() }))
            fleet.a.setQueryData(key, "no codec")
            runCurrent()
            fleet.b.getQueryState<String>(key)!!.isInvalidated shouldBe true
            fleet.b.getQueryData<String>(key) shouldBe "b1"
            fleet.close()
        }
    }

    test("A removes and resets: B drops its copies") {
        runTest {
            val fleet = Fleet(this)
            fleet.b.fetchQuery(queryOptions(key, queryFn = { "b" }))
            fleet.b.fetchQuery(queryOptions(queryKey("post", 1), queryFn = { "p" }))
            fleet.a.removeQueries(queryKey("user"))
            fleet.a.resetQueries(QueryFilter.exact(queryKey("post", 1)))
            runCurrent()
            fleet.b.getQueryState<String>(key) shouldBe null
            fleet.b.getQueryState<String>(queryKey("post", 1))!!.hasData shouldBe false
            fleet.close()
        }
    }

    test("messages B missed while disconnected: on reconnect B invalidates everything it holds") {
        runTest {
            val fleet = Fleet(this)
            val fetcherB = FakeFetcher { "b$it" }
            fleet.b.fetchQuery(queryOptions(key, queryFn = { fetcherB() }))
            fleet.b.fetchQuery(queryOptions(queryKey("other"), queryFn = { "o" }))
            fleet.transportB.disconnect()
            fleet.a.invalidateQueries(queryKey("user"))
            runCurrent()
            fleet.b.getQueryState<String>(key)!!.isInvalidated shouldBe false // missed

            fleet.transportB.reconnect()
            runCurrent()
            fleet.b.getQueryState<String>(key)!!.isInvalidated shouldBe true
            fleet.b.getQueryState<String>(queryKey("other"))!!.isInvalidated shouldBe true
            fleet.close()
        }
    }

    test("what A could not publish while disconnected is sent, in order, once it can") {
        runTest {
            val fleet = Fleet(this)
            fleet.b.fetchQuery(queryOptions(key, queryFn = { "b" }))
            fleet.b.fetchQuery(queryOptions(queryKey("post", 1), queryFn = { "p" }))
            fleet.transportA.disconnect()
            fleet.a.invalidateQueries(queryKey("user"))
            fleet.a.removeQueries(queryKey("post"))
            advanceTimeBy(1.seconds)
            fleet.hub.published shouldBe emptyList()
            fleet.transportA.reconnect()
            runCurrent()
            fleet.hub.published.map { it.substringAfter("\"op\":\"").substringBefore('"') } shouldBe
                listOf("invalidate", "remove")
            fleet.b.getQueryState<String>(key)!!.isInvalidated shouldBe true
            fleet.b.getQueryState<String>(queryKey("post", 1)) shouldBe null
            fleet.close()
        }
    }

    test("past 1000 unsent messages, they collapse into one invalidation of everything") {
        runTest {
            val fleet = Fleet(this)
            fleet.b.fetchQuery(queryOptions(queryKey("x"), queryFn = { "x" }))
            fleet.transportA.disconnect()
            repeat(1500) { fleet.a.setQueryData(queryKey("n", it), it) }
            fleet.transportA.reconnect()
            runCurrent()
            (fleet.hub.published.size < 1000) shouldBe true
            fleet.b.getQueryState<String>(queryKey("x"))!!.isInvalidated shouldBe true
            fleet.close()
        }
    }

    test(
        "a removal reaches the other instances only after its L2 deletion landed, so they cannot hydrate the removed entry",
    ) {
        runTest {
            val hub = InMemorySyncHub()
            val shared = InMemoryStorage { testScheduler.currentTime }
            val slowForA = FaultyStorage(shared)
            val fastForB = FaultyStorage(shared)
            fun client(storage: FaultyStorage) = QueryClient(
                QueryClientConfig(
                    staleTime = 10.minutes,
                    retry = 0,
                    clock = QueryClock { testScheduler.currentTime },
                    coroutineContext = StandardTestDispatcher(testScheduler),
                    storage = storage,
                    sync = hub.transport(),
                ),
            )
            val a = client(slowForA)
            val b = client(fastForB)
            a.fetchQuery(queryOptions(key, queryFn = { "old" }))
            a.flush()
            b.fetchQuery(queryOptions(key, queryFn = { "b" })) shouldBe "old"
            slowForA.mode = FaultyStorage.Mode.SLOW
            slowForA.latency = 500.milliseconds
            a.removeQueries(queryKey("user"))
            while (b.getQueryState<String>(key) != null) advanceTimeBy(10.milliseconds)
            shared.get("stackquery:[\"user\",1]") shouldBe null // the deletion landed first
            val fetcher = FakeFetcher { "new" }
            b.fetchQuery(queryOptions(key, queryFn = { fetcher() })) shouldBe "new"
            fetcher.calls shouldBe 1
            a.close()
            b.close()
        }
    }

    test("close() closes the transport") {
        runTest {
            val fleet = Fleet(this)
            fleet.close()
            fleet.transportA.closed shouldBe true
            fleet.transportB.closed shouldBe true
        }
    }

    test(
        "a message that finds the inbox full is not lost silently: the client invalidates everything after the ones queued",
    ) {
        runTest {
            val transport = CapturingTransport()
            val client = QueryClient(
                QueryClientConfig(
                    staleTime = 10.minutes,
                    retry = 0,
                    clock = QueryClock { testScheduler.currentTime },
                    coroutineContext = StandardTestDispatcher(testScheduler),
                    sync = transport,
                ),
            )
            client.fetchQuery(QueryOptions(key, { "b" }))
            runCurrent()
            val listener = transport.listener!!
            // The consumer is not running meanwhile: the first message is handed to it, MAX_INBOX more wait.
            repeat(SyncBridge.MAX_INBOX + 1) { listener.onMessage(remote("invalidate", queryKey("n", it))) }
            listener.onMessage(remote("invalidate", key)) // no room left: lost
            runCurrent()
            client.getQueryState<String>(key)!!.isInvalidated shouldBe true
            client.close()
        }
    }

    test("a remote invalidation does not wait for the refetch it starts: the next message applies at once") {
        runTest {
            val fleet = Fleet(this)
            var calls = 0
            val observer = fleet.b.watch(
                queryOptions(key, queryFn = {
                    calls++
                    if (calls > 1) delay(1.hours)
                    "b$calls"
                }),
            )
            val subscription = observer.subscribe { }
            runCurrent()
            fleet.a.fetchQuery(queryOptions(queryKey("other"), queryFn = { "o" }))
            fleet.b.fetchQuery(queryOptions(queryKey("other"), queryFn = { "o" }))
            fleet.a.invalidateQueries(key) // B refetches its observed query, which takes an hour
            fleet.a.setQueryData(queryKey("other"), "from A")
            advanceTimeBy(1.seconds)
            runCurrent()
            calls shouldBe 2
            fleet.b.getQueryData<String>(queryKey("other")) shouldBe "from A"
            subscription.unsubscribe()
            fleet.close()
        }
    }
})
