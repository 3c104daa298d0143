package dev.stackquery

import dev.stackquery.storage.InMemoryStorage
import dev.stackquery.storage.QueryCodec
import dev.stackquery.storage.StorageBackend
import dev.stackquery.testing.FaultyStorage
import dev.stackquery.testing.FaultyStorage.Mode
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlinx.serialization.Serializable
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

@Serializable
data class User(val id: Long, val name: String)

/** A client on virtual time with [storage] as its L2 tier. */
internal fun TestScope.persistentClient(
    storage: StorageBackend,
    staleTime: Duration = 1.minutes,
    gcTime: Duration = 5.minutes,
    buster: String = "",
    storageTimeout: Duration = 2.seconds,
    maxPendingWrites: Int = 10_000,
    storageWriteRetries: Int = 3,
    persistMaxAge: Duration? = null,
    onlineManager: OnlineManager = OnlineManager.ALWAYS_ONLINE,
): QueryClient = QueryClient(
    QueryClientConfig(
        staleTime = staleTime, gcTime = gcTime, retry = 0,
        clock = QueryClock { testScheduler.currentTime },
        coroutineContext = StandardTestDispatcher(testScheduler),
        storage = storage, buster = buster, storageTimeout = storageTimeout,
        maxPendingWrites = maxPendingWrites, storageWriteRetries = storageWriteRetries, persistMaxAge = persistMaxAge,
        onlineManager = onlineManager,
    ),
)

private val ann = User(1, "Ann")
private val userKey = queryKey("user", 1)
private const val STORED_KEY = "stackquery:[\"user\",1]"

private fun userOptions(fetcher: FakeFetcher<User>, key: QueryKey = userKey) = queryOptions(key, queryFn = {
    fetcher()
})

/** The L2 tier: hydration, write-behind and their failures (issue 6), in virtual time. */
class PersistenceSpec : FunSpec({
    test("a second client on the same storage returns the persisted data without calling its query function") {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            val first = persistentClient(storage)
            first.fetchQuery(userOptions(FakeFetcher { ann })) shouldBe ann
            val writtenAt = currentTime
            first.flush()
            first.close()

            val second = persistentClient(storage)
            val fetcher = FakeFetcher<User> { error("must not be called") }
            advanceTimeBy(10.seconds)
            second.fetchQuery(userOptions(fetcher)) shouldBe ann
            fetcher.calls shouldBe 0
            second.getQueryState<User>(userKey)!!.dataUpdatedAt shouldBe writtenAt
            second.storageStats()!!.hits shouldBe 1
            second.stats().misses shouldBe 1 // a miss in memory, served by the storage
            second.close()
        }
    }

    test("the stored entry is the versioned envelope, with the codec's JSON as data and the TTL of gcTime") {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            val client = persistentClient(storage, gcTime = 10.minutes)
            client.fetchQuery(userOptions(FakeFetcher(latency = 100.milliseconds) { ann }))
            client.flush()
            storage.get(STORED_KEY) shouldBe
                """{"v":1,"data":{"id":1,"name":"Ann"},"dataUpdatedAt":100,"invalidated":false}"""
            advanceTimeBy(10.minutes - 1.milliseconds)
            storage.get(STORED_KEY) shouldBe
                """{"v":1,"data":{"id":1,"name":"Ann"},"dataUpdatedAt":100,"invalidated":false}"""
            advanceTimeBy(200.milliseconds)
            storage.get(STORED_KEY) shouldBe null
            client.close()
        }
    }

    test("persistMaxAge replaces gcTime as the TTL; Duration.INFINITE never expires") {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            val client = persistentClient(storage, persistMaxAge = Duration.INFINITE)
            client.fetchQuery(userOptions(FakeFetcher { ann }))
            client.flush()
            advanceTimeBy(1000.minutes)
            (storage.get(STORED_KEY) != null) shouldBe true
            client.close()
        }
    }

    test("test_persistence_hydration: a stale entry is returned at once, then refetched, and the new data persisted") {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            advanceTimeBy(2000.seconds)
            storage.set(
                STORED_KEY,
                """{"v":1,"data":{"id":1,"name":"persisted"},"dataUpdatedAt":${currentTime - 1_000_000},"invalidated":false}""",
                null,
            )
            val client = persistentClient(storage, staleTime = Duration.ZERO)
            val fetcher = FakeFetcher { User(1, "new_data") }
            client.fetchQuery(userOptions(fetcher)) shouldBe User(1, "persisted")
            client.getQueryState<User>(userKey)!!.fetchStatus shouldBe FetchStatus.FETCHING
            advanceTimeBy(200.milliseconds)
            client.getQueryData<User>(userKey) shouldBe User(1, "new_data")
            fetcher.calls shouldBe 1
            client.flush()
            storage.get(STORED_KEY)!!.contains("new_data") shouldBe true
            client.storageStats()!!.staleHits shouldBe 1
            client.close()
        }
    }

    test("concurrent cold callers share one storage read and one fetch") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime }).apply {
                mode = Mode.SLOW
                latency = 50.milliseconds
            }
            val client = persistentClient(storage)
            val fetcher = FakeFetcher { ann }
            List(10) { async { client.fetchQuery(userOptions(fetcher)) } }.awaitAll() shouldBe List(10) { ann }
            storage.count("get") shouldBe 1
            fetcher.calls shouldBe 1
            client.storageStats()!!.misses shouldBe 1
            client.close()
        }
    }

    test("only settled successes are written: no write for a failure, one per settled fetch, none for FETCHING") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime })
            val client = persistentClient(storage, staleTime = Duration.ZERO)
            val failing = FakeFetcher<User> { throw IllegalStateException("down") }
            runCatching { client.fetchQuery(userOptions(failing)) }.isFailure shouldBe true
            client.flush()
            storage.count("set") + storage.count("setAll") shouldBe 0

            val fetcher = FakeFetcher { User(1, "v$it") }
            client.fetchQuery(userOptions(fetcher)) shouldBe User(1, "v1")
            client.flush()
            client.fetchQuery(userOptions(fetcher)) shouldBe User(1, "v1") // stale: refetch in background
            advanceTimeBy(100.milliseconds)
            runCurrent()
            client.flush()
            storage.calls.filter { it.startsWith("set") } shouldBe listOf("set $STORED_KEY", "set $STORED_KEY")
            storage.inner.get(STORED_KEY)!!.contains("\"v2\"") shouldBe true
            client.close()
        }
    }

    test("writes are coalesced per key (latest wins) and batched across keys") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime })
            val client = persistentClient(storage)
            val options = (0 until 5).map { i -> queryOptions(queryKey("n", i), queryFn = { delay(100); i }) }
            options.map { async { client.fetchQuery(it) } }.awaitAll() // all settle at once: one batch
            repeat(100) { v -> client.setQueryData(queryKey("n", 0), 1000 + v) }
            client.flush()
            storage.calls.filter { it.startsWith("set") } shouldBe listOf("setAll 5", "set stackquery:[\"n\",0]")
            storage.inner.get("stackquery:[\"n\",0]")!!.contains("\"data\":1099") shouldBe true
            client.close()
        }
    }

    test("without batch support, writes go one by one in order") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime }).apply { batching = false }
            val client = persistentClient(storage)
            (0 until 3).forEach { i -> client.fetchQuery(queryOptions(queryKey("n", i), queryFn = { i })) }
            client.flush()
            storage.calls.filter { it.startsWith("set") } shouldBe
                (0 until 3).map { "set stackquery:[\"n\",$it]" }
            client.close()
        }
    }

    test(
        "test_persistence_invalidation: invalidation persists the flag; a new client hydrates it stale and refetches",
    ) {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            val first = persistentClient(storage)
            first.fetchQuery(userOptions(FakeFetcher { ann }))
            first.invalidateQueries(queryKey("user"))
            first.flush()
            storage.get(STORED_KEY)!!.endsWith("\"invalidated\":true}") shouldBe true
            first.close()

            val second = persistentClient(storage)
            val fetcher = FakeFetcher { User(1, "fresh") }
            second.fetchQuery(userOptions(fetcher)) shouldBe ann // stale: returned, then refetched
            advanceTimeBy(200.milliseconds)
            second.getQueryData<User>(userKey) shouldBe User(1, "fresh")
            second.flush()
            storage.get(STORED_KEY)!!.endsWith("\"invalidated\":false}") shouldBe true
            second.close()
        }
    }

    test(
        "invalidating a prefix deletes the persisted entries no query here holds, so no client hydrates them as fresh",
    ) {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            storage.set(
                "stackquery:[\"user\",2]",
                """{"v":1,"data":{"id":2,"name":"Bob"},"dataUpdatedAt":0,"invalidated":false}""",
                null,
            )
            storage.set("stackquery:[\"users\",1]", "{}", null)
            val first = persistentClient(storage)
            first.fetchQuery(userOptions(FakeFetcher { ann }))
            first.invalidateQueries(queryKey("user"))
            first.invalidateQueries(queryKey("user")) // again: the held entry is written back flagged every time
            first.flush()
            storage.get("stackquery:[\"user\",2]") shouldBe null
            storage.get(STORED_KEY)!!.endsWith("\"invalidated\":true}") shouldBe true
            storage.get("stackquery:[\"users\",1]") shouldBe "{}"
            first.close()

            val second = persistentClient(storage)
            val fetcher = FakeFetcher { User(2, "Bob, refetched") }
            second.fetchQuery(userOptions(fetcher, queryKey("user", 2))) shouldBe User(2, "Bob, refetched")
            fetcher.calls shouldBe 1
            second.close()
        }
    }

    test("removeQueries deletes persisted entries under the prefix, held in memory or not; clear() keeps them") {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            storage.set("stackquery:[\"user\",2]", "{}", null)
            storage.set("stackquery:[\"user\",20,\"x\"]", "{}", null)
            storage.set("stackquery:[\"users\",1]", "{}", null)
            val client = persistentClient(storage)
            client.fetchQuery(userOptions(FakeFetcher { ann }))
            client.flush()
            client.clear()
            storage.get(STORED_KEY) shouldBe storage.get(STORED_KEY)!!
            client.removeQueries(queryKey("user", 2))
            client.flush()
            storage.get("stackquery:[\"user\",2]") shouldBe null
            storage.get("stackquery:[\"user\",20,\"x\"]") shouldBe "{}" // ["user",2] is not a prefix of ["user",20]
            client.removeQueries(queryKey("user"))
            client.flush()
            storage.get(STORED_KEY) shouldBe null
            storage.get("stackquery:[\"user\",20,\"x\"]") shouldBe null
            storage.get("stackquery:[\"users\",1]") shouldBe "{}"
            client.storageStats()!!.deletes shouldBe 4 // two (exact + continuation) per prefix removal
            client.close()
        }
    }

    test("resetQueries deletes the entry, so a new client does not resurrect it") {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            val client = persistentClient(storage)
            client.fetchQuery(userOptions(FakeFetcher { ann }))
            client.resetQueries(QueryFilter.exact(userKey))
            client.flush()
            storage.get(STORED_KEY) shouldBe null
            client.close()
        }
    }

    test("a read right after a removal does not see the entry the writer has not deleted yet") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime })
            val client = persistentClient(storage)
            client.fetchQuery(userOptions(FakeFetcher { ann }))
            client.flush()
            storage.mode = Mode.SLOW
            storage.latency = 1.seconds
            client.removeQueries(QueryFilter.exact(userKey))
            val fetcher = FakeFetcher { User(1, "refetched") }
            client.fetchQuery(userOptions(fetcher)) shouldBe User(1, "refetched")
            fetcher.calls shouldBe 1
            client.close()
        }
    }

    test("a read right after setQueryData sees the data the writer has not sent yet") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime }).apply {
                mode = Mode.SLOW
                latency = 1.seconds
            }
            val first = persistentClient(storage)
            first.fetchQuery(userOptions(FakeFetcher { ann }))
            first.setQueryData(userKey, User(1, "edited"))
            first.removeQueries(QueryFilter.exact(queryKey("other")))
            first.clear()
            first.fetchQuery(userOptions(FakeFetcher { error("not called") })) shouldBe User(1, "edited")
            first.close()
        }
    }

    test("a corrupt entry counts as a miss, is deleted, and the query fetches") {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            storage.set(STORED_KEY, "{not json", null)
            val client = persistentClient(storage)
            val fetcher = FakeFetcher { ann }
            client.fetchQuery(userOptions(fetcher)) shouldBe ann
            fetcher.calls shouldBe 1
            client.storageStats()!!.corrupt shouldBe 1
            client.flush()
            storage.get(STORED_KEY)!!.contains("Ann") shouldBe true
            client.close()
        }
    }

    test("undecodable data, another buster or another envelope version are ignored and deleted") {
        runTest {
            val entries = listOf(
                """{"v":1,"data":{"unexpected":true},"dataUpdatedAt":0,"invalidated":false}""",
                """{"v":1,"data":{"id":1,"name":"old"},"dataUpdatedAt":0,"invalidated":false,"buster":"v1"}""",
                """{"v":2,"data":{"id":1,"name":"future"},"dataUpdatedAt":0,"invalidated":false,"buster":"v2"}""",
                """{"v":1,"dataUpdatedAt":0}""",
            )
            for (entry in entries) {
                val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime })
                storage.inner.set(STORED_KEY, entry, null)
                val client = persistentClient(storage, buster = "v2")
                client.fetchQuery(userOptions(FakeFetcher { ann })) shouldBe ann
                client.flush()
                storage.calls.first { it.startsWith("delete") } shouldBe "delete $STORED_KEY"
                storage.inner.get(STORED_KEY)!!.endsWith(",\"buster\":\"v2\"}") shouldBe true
                client.storageStats()!!.corrupt shouldBe 1
                client.close()
            }
        }
    }

    test("a hanging storage delays a cold query by storageTimeout at most; the timeout is counted") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime }).apply { mode = Mode.HANG }
            val client = persistentClient(storage, storageTimeout = 500.milliseconds)
            val fetcher = FakeFetcher(latency = 100.milliseconds) { ann }
            client.fetchQuery(userOptions(fetcher)) shouldBe ann
            currentTime shouldBe 600
            val stats = client.storageStats()!!
            stats.timeouts shouldBe 1
            stats.errors shouldBe 1
            client.close()
        }
    }

    test(
        "a throwing storage never fails a query; after 5 failures the breaker skips it, then probes after the cool-down",
    ) {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime }).apply { mode = Mode.THROW }
            val client = persistentClient(storage, storageWriteRetries = 0)
            val keys = (0 until 8).map { queryKey("k", it) }
            for (key in keys) client.fetchQuery(queryOptions(key, queryFn = { "v" })) shouldBe "v"
            // reads and writes both count: get k0, set k0, get k1, set k1, get k2 -> open
            storage.calls shouldBe listOf(
                "get stackquery:[\"k\",0]",
                "set stackquery:[\"k\",0]",
                "get stackquery:[\"k\",1]",
                "set stackquery:[\"k\",1]",
                "get stackquery:[\"k\",2]",
            )
            client.storageStats()!!.circuitOpen shouldBe true
            client.storageStats()!!.skipped shouldBe 5
            client.storageStats()!!.pendingWrites shouldBe 6 // k2..k7 wait for the cool-down

            storage.mode = Mode.OK
            advanceTimeBy(30.seconds)
            runCurrent()
            client.fetchQuery(queryOptions(queryKey("after"), queryFn = { "v" })) shouldBe "v"
            client.storageStats()!!.circuitOpen shouldBe false
            client.flush()
            storage.inner.get("stackquery:[\"after\"]")!!.contains("\"data\":\"v\"") shouldBe true
            storage.inner.get("stackquery:[\"k\",7]")!!.contains("\"data\":\"v\"") shouldBe true
            client.close()
        }
    }

    test("a probe cancelled with its fetch does not leave the breaker stuck half-open") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime }).apply { mode = Mode.THROW }
            val client = persistentClient(storage, storageWriteRetries = 0)
            repeat(5) {
                // failing reads, and failing fetches (so no writes compete for the probe)
                runCatching { client.fetchQuery(queryOptions<String>(queryKey("k", it), queryFn = { error("down") })) }
            }
            storage.count("get") shouldBe 5
            client.storageStats()!!.circuitOpen shouldBe true
            advanceTimeBy(31.seconds)
            storage.mode = Mode.HANG
            val probe = async { client.fetchQuery(queryOptions(queryKey("probe"), queryFn = { "p" })) }
            runCurrent() // the probe's read hangs: the breaker is half-open
            val gets = storage.count("get")
            client.cancelQueries(QueryFilter.exact(queryKey("probe"))) // its fetch, and the read, are cancelled
            storage.mode = Mode.OK
            runCatching { probe.await() }.exceptionOrNull().shouldBeInstanceOf<QueryCancelledException>()
            // A new fetch may probe again.
            client.fetchQuery(queryOptions(queryKey("probe"), queryFn = { "p" })) shouldBe "p"
            storage.count("get") shouldBe gets + 1
            client.storageStats()!!.circuitOpen shouldBe false
            client.close()
        }
    }

    test("the storage returning garbage is counted as corrupt, never fails a query") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime })
            storage.mode = Mode.GARBAGE
            val client = persistentClient(storage)
            client.fetchQuery(userOptions(FakeFetcher { ann })) shouldBe ann
            client.storageStats()!!.corrupt shouldBe 1
            client.close()
        }
    }

    test("failed writes are retried a bounded number of times, then dropped and counted") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime })
            val client = persistentClient(storage, storageWriteRetries = 2)
            storage.mode = Mode.THROW
            client.fetchQuery(userOptions(FakeFetcher { ann }))
            client.flush()
            storage.count("set") shouldBe 3
            val stats = client.storageStats()!!
            stats.writesDropped shouldBe 1
            stats.pendingWrites shouldBe 0
            client.close()
        }
    }

    test("a dead storage never holds more than maxPendingWrites writes") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime }).apply { mode = Mode.HANG }
            val client = persistentClient(storage, maxPendingWrites = 10)
            val ids = (0 until 100)
            for (i in ids) client.fetchQuery(queryOptions(queryKey("n", i), queryFn = { i }))
            runCurrent()
            client.storageStats()!!.pendingWrites shouldBeLessThanOrEqual 10
            (client.storageStats()!!.writesDropped >= 89) shouldBe true
            client.close()
        }
    }

    test("an observer hydrates like fetchQuery: a fresh persisted entry is shown without calling the query function") {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            storage.set(
                STORED_KEY,
                """{"v":1,"data":{"id":1,"name":"Ann"},"dataUpdatedAt":0,"invalidated":false}""",
                null,
            )
            val client = persistentClient(storage)
            val events = recordEvents(client)
            val fetcher = FakeFetcher<User> { error("must not be called") }
            val observer = client.watch(userOptions(fetcher))
            val seen = mutableListOf<String>()
            val subscription = observer.subscribe { seen += it.brief() }
            runCurrent()
            fetcher.calls shouldBe 0
            events.statesOf(userKey).map { it.brief() } shouldBe listOf(
                "PENDING/FETCHING/null/0",
                "SUCCESS/IDLE/User(id=1, name=Ann)/0",
            )
            seen.last() shouldBe "SUCCESS/IDLE/User(id=1, name=Ann)/0"
            subscription.unsubscribe()
            client.close()
        }
    }

    test("a query without a codec stays in memory only") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime })
            val client = persistentClient(storage)
            client.fetchQuery(QueryOptions(userKey, { ann }))
            client.flush()
            storage.calls shouldBe emptyList()
            client.close()
        }
    }

    test("close() lets the queued writes finish in the background; flush() works after close") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime }).apply {
                mode = Mode.SLOW
                latency = 1.seconds
            }
            val client = persistentClient(storage)
            client.fetchQuery(userOptions(FakeFetcher { ann }))
            client.close()
            client.flush()
            storage.inner.get(STORED_KEY)!!.contains("Ann") shouldBe true
        }
    }

    test("QueryCodec.of works with any JSON library; a codec that produces non-JSON is dropped and counted") {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            val client = persistentClient(storage)
            val json = QueryCodec.of<String>({ "\"" + it + "\"" }, { it.trim('"') })
            val broken = QueryCodec.of<String>({ it }, { it })
            client.fetchQuery(QueryOptions(queryKey("a"), { "alpha" }, codec = json))
            client.fetchQuery(QueryOptions(queryKey("b"), { "not json" }, codec = broken))
            client.flush()
            storage.get("stackquery:[\"a\"]") shouldBe
                """{"v":1,"data":"alpha","dataUpdatedAt":0,"invalidated":false}"""
            storage.get("stackquery:[\"b\"]") shouldBe null
            client.storageStats()!!.writesDropped shouldBe 1
            client.close()
        }
    }

    test("a storage namespace separates applications sharing one storage") {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            val config = { namespace: String ->
                QueryClientConfig(
                    staleTime = 1.minutes,
                    retry = 0,
                    clock = QueryClock { testScheduler.currentTime },
                    coroutineContext = StandardTestDispatcher(testScheduler),
                    storage = storage,
                    storageNamespace = namespace,
                )
            }
            val a = QueryClient(config("app-a:"))
            a.fetchQuery(userOptions(FakeFetcher { ann }))
            a.flush()
            storage.get("app-a:[\"user\",1]")!!.contains("Ann") shouldBe true
            val b = QueryClient(config("app-b:"))
            val fetcher = FakeFetcher { User(1, "b") }
            b.fetchQuery(userOptions(fetcher)) shouldBe User(1, "b")
            fetcher.calls shouldBe 1
            a.close()
            b.close()
        }
    }
})
