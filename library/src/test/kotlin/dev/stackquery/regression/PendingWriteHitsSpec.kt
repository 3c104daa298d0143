package dev.stackquery.regression

import dev.stackquery.persistentClient
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import dev.stackquery.storage.InMemoryStorage
import dev.stackquery.storage.StorageBackend
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration

/** Reads pass through; writes wait for [gate] (a storage whose writer is stuck). */
private class StuckWrites(val inner: InMemoryStorage) : StorageBackend {
    val gate = CompletableDeferred<Unit>()

    override suspend fun get(key: String): String? = inner.get(key)

    override suspend fun set(key: String, value: String, ttl: Duration?) {
        gate.await()
        inner.set(key, value, ttl)
    }

    override suspend fun delete(key: String) = inner.delete(key)
}

/**
 * Issue 23, defect 10: `StorageStats.hits` counted hydrations answered from the client's own
 * pending writes (while the breaker was open it climbed at tens of thousands per second). They
 * are now `pendingHits`, and `hits` counts only entries read from the storage.
 */
class PendingWriteHitsSpec : FunSpec({
    test("a hydration answered by a write still queued is a pending hit, not a storage hit") {
        runTest {
            val storage = StuckWrites(InMemoryStorage { testScheduler.currentTime })
            val client = persistentClient(storage)
            var calls = 0
            val options = queryOptions(queryKey("user", 1), queryFn = { calls++; "fetched" })
            client.fetchQuery(options) shouldBe "fetched"
            runCurrent() // the writer is stuck in set
            client.clear() // memory only: the write is still queued
            client.fetchQuery(options) shouldBe "fetched"
            calls shouldBe 1
            val stuck = client.storageStats()!!
            listOf(stuck.pendingHits, stuck.hits, stuck.reads) shouldBe listOf(1L, 0L, 1L)

            storage.gate.complete(Unit)
            client.flush()
            client.clear()
            client.fetchQuery(options) shouldBe "fetched"
            val written = client.storageStats()!!
            listOf(written.pendingHits, written.hits, calls.toLong()) shouldBe listOf(1L, 1L, 1L)
            client.close()
        }
    }
})
