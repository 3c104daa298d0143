package dev.stackquery.regression

import dev.stackquery.FakeFetcher
import dev.stackquery.QueryCancelledException
import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryClock
import dev.stackquery.QueryFilter
import dev.stackquery.User
import dev.stackquery.brief
import dev.stackquery.persistentClient
import dev.stackquery.query
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import dev.stackquery.storage.BatchStorage
import dev.stackquery.storage.InMemoryStorage
import dev.stackquery.storage.PrefixDeletableStorage
import dev.stackquery.storage.StorageBackend
import dev.stackquery.storage.StorageEntry
import dev.stackquery.testing.FaultyStorage
import dev.stackquery.testing.FaultyStorage.Mode
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Job
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withTimeoutOrNull
import kotlin.time.Duration
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

private val ann = User(1, "Ann")
private val userKey = queryKey("user", 1)
private const val STORED_KEY = "stackquery:[\"user\",1]"
private const val ANN_ENTRY = """{"v":1,"data":{"id":1,"name":"Ann"},"dataUpdatedAt":0,"invalidated":false}"""

private fun userOptions(fetcher: FakeFetcher<User>) = queryOptions(userKey, queryFn = { fetcher() })

/** Reads at once but answers [latency] later: a read that happened before a write it races with. */
private class LateAnswers(val inner: InMemoryStorage, private val latency: Duration) : StorageBackend {
    override suspend fun get(key: String): String? {
        val value = inner.get(key)
        delay(latency)
        return value
    }

    override suspend fun set(key: String, value: String, ttl: Duration?) = inner.set(key, value, ttl)

    override suspend fun delete(key: String) = inner.delete(key)
}

/** Reads pass through; every write or deletion waits for [gate] (a storage whose writes are stuck). */
private class GatedWrites(val inner: InMemoryStorage) : BatchStorage, PrefixDeletableStorage {
    val gate = CompletableDeferred<Unit>()

    override suspend fun get(key: String): String? = inner.get(key)

    override suspend fun set(key: String, value: String, ttl: Duration?) {
        gate.await()
        inner.set(key, value, ttl)
    }

    override suspend fun delete(key: String) {
        gate.await()
        inner.delete(key)
    }

    override suspend fun getAll(keys: Collection<String>): Map<String, String> = inner.getAll(keys)

    override suspend fun setAll(entries: List<StorageEntry>) {
        gate.await()
        inner.setAll(entries)
    }

    override suspend fun deleteByPrefix(prefix: String): Long {
        gate.await()
        return inner.deleteByPrefix(prefix)
    }
}

/** Regressions found in review of the L2 tier (hydration, the write-behind queue, close and flush). */
class PersistenceRegressionSpec : FunSpec({
    test("flush() returns when the writer was cancelled with the client's parent Job; the lost writes are counted") {
        runTest {
            val parent = Job()
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime }).apply {
                mode = Mode.SLOW
                latency = 1.seconds
            }
            val client = QueryClient(
                QueryClientConfig(
                    staleTime = 1.minutes,
                    retry = 0,
                    clock = QueryClock { testScheduler.currentTime },
                    coroutineContext = StandardTestDispatcher(testScheduler) + parent,
                    storage = storage,
                ),
            )
            client.fetchQuery(userOptions(FakeFetcher { ann }))
            runCurrent() // the writer is sending the fetched data (1 s)
            client.setQueryData(userKey, User(1, "edited")) // waits behind it
            parent.cancel()
            runCurrent()
            withTimeoutOrNull(1.minutes) { client.flush() } shouldBe Unit
            client.storageStats()!!.writesDropped shouldBe 2
            client.storageStats()!!.pendingWrites shouldBe 0
        }
    }

    test("a cold fetchQuery with a storage calls the query function once, after a quick success or a quick failure") {
        runTest {
            val client = persistentClient(InMemoryStorage { testScheduler.currentTime }, staleTime = Duration.ZERO)
            var calls = 0
            client.fetchQuery(queryOptions(queryKey("quick"), queryFn = { calls++; "v" })) shouldBe "v"
            runCurrent()
            calls shouldBe 1 // not a second, background fetch because the data just fetched is already stale

            var failures = 0
            val error = runCatching {
                client.fetchQuery(queryOptions<String>(queryKey("failing"), queryFn = { failures++; error("down") }))
            }.exceptionOrNull()
            runCurrent()
            error!!.message shouldBe "down"
            failures shouldBe 1 // the caller gets the failure, it does not start a second fetch
            client.close()
        }
    }

    test("cancelQueries during hydration: the waiting caller gets QueryCancelledException and no new fetch starts") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime }).apply { mode = Mode.HANG }
            val client = persistentClient(storage, storageTimeout = 1.minutes)
            val fetcher = FakeFetcher { ann }
            val caller = async { runCatching { client.fetchQuery(userOptions(fetcher)) } }
            runCurrent() // the caller waits for the storage read
            client.cancelQueries(QueryFilter.exact(userKey))
            caller.await().exceptionOrNull().shouldBeInstanceOf<QueryCancelledException>()
            storage.count("get") shouldBe 1
            fetcher.calls shouldBe 0
            client.getQueryState<User>(userKey)!!.brief() shouldBe "IDLE/IDLE/null/0"
            client.close()
        }
    }

    test("deleting a corrupt entry never undoes a write of the key queued while it was being read") {
        runTest {
            val storage = LateAnswers(InMemoryStorage { testScheduler.currentTime }, latency = 1.seconds)
            storage.inner.set(STORED_KEY, "{corrupt", null)
            val client = persistentClient(storage)
            val caller = async { runCatching { client.fetchQuery(userOptions(FakeFetcher<User> { error("down") })) } }
            runCurrent() // the hydration read has read the corrupt entry; it answers in 1 s
            client.setQueryData(userKey, User(1, "edited")) // written at once
            advanceTimeBy(2.seconds)
            runCurrent()
            caller.await()
            client.flush()
            storage.inner.get(STORED_KEY)?.contains("\"name\":\"edited\"") shouldBe true
            client.close()
        }
    }

    test("a full write queue drops the oldest write, never a deletion: a removed entry does not come back") {
        runTest {
            val storage = GatedWrites(InMemoryStorage { testScheduler.currentTime })
            storage.inner.set(STORED_KEY, ANN_ENTRY, null)
            val client = persistentClient(storage, maxPendingWrites = 3, storageTimeout = 10.minutes)
            client.fetchQuery(queryOptions(queryKey("first"), queryFn = { "x" }))
            runCurrent() // the writer holds this write at the gate
            client.removeQueries(QueryFilter.exact(userKey)) // the deletion waits
            client.fetchQuery(queryOptions(queryKey("n", 0), queryFn = { 0 }))
            client.fetchQuery(queryOptions(queryKey("n", 1), queryFn = { 1 })) // one too many
            client.storageStats()!!.writesDropped shouldBe 1

            val fetcher = FakeFetcher { User(1, "refetched") }
            client.fetchQuery(userOptions(fetcher)) shouldBe User(1, "refetched")
            fetcher.calls shouldBe 1
            storage.gate.complete(Unit)
            client.flush()
            storage.inner.get(STORED_KEY)!!.contains("\"name\":\"refetched\"") shouldBe true
            storage.inner.get("stackquery:[\"n\",0]") shouldBe null // the write that was dropped
            client.close()
        }
    }

    test("an invalidation that found a query just before it was removed does not write its entry back") {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            val client = persistentClient(storage)
            client.fetchQuery(userOptions(FakeFetcher { ann }))
            client.flush()
            val query = client.query<User>(userKey) // what invalidateQueries' cache.find returned
            client.removeQueries(QueryFilter.exact(userKey))
            query.invalidate()
            client.flush()
            storage.get(STORED_KEY) shouldBe null
            client.close()
        }
    }

    test("after close(), writes that meet an open breaker are dropped at once, not held through cool-downs") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime }).apply { mode = Mode.THROW }
            val client = persistentClient(storage, storageWriteRetries = 0)
            for (i in 0 until 8) client.fetchQuery(queryOptions(queryKey("k", i), queryFn = { "v" }))
            client.storageStats()!!.circuitOpen shouldBe true
            client.storageStats()!!.pendingWrites shouldBe 6
            val closedAt = currentTime
            client.close()
            client.flush()
            currentTime shouldBe closedAt
            val stats = client.storageStats()!!
            stats.pendingWrites shouldBe 0
            stats.writesDropped shouldBe 8 // two failed, six left behind the open breaker
        }
    }
})
