package dev.stackquery.regression

import dev.stackquery.persistentClient
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import dev.stackquery.storage.BatchStorage
import dev.stackquery.storage.InMemoryStorage
import dev.stackquery.storage.StorageEntry
import dev.stackquery.storage.StorageKeyRejectedException
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration

/** An in-memory batch storage that, like a SQL key column, cannot hold keys over [maxKey] chars. */
private class ShortKeysOnly(val inner: InMemoryStorage, private val maxKey: Int = 40) : BatchStorage {
    private fun check(key: String) {
        if (key.length > maxKey) throw StorageKeyRejectedException("keys are at most $maxKey characters")
    }

    override suspend fun get(key: String): String? {
        check(key)
        return inner.get(key)
    }

    override suspend fun set(key: String, value: String, ttl: Duration?) {
        check(key)
        inner.set(key, value, ttl)
    }

    override suspend fun getAll(keys: Collection<String>): Map<String, String> {
        keys.forEach(::check)
        return keys.mapNotNull { key -> inner.get(key)?.let { key to it } }.toMap()
    }

    override suspend fun setAll(entries: List<StorageEntry>) {
        entries.forEach { check(it.key) }
        entries.forEach { inner.set(it.key, it.value, it.ttl) }
    }

    override suspend fun delete(key: String) {
        check(key)
        inner.delete(key)
    }
}

/**
 * Issue 23, defect 4: one key too long for the SQL key column made `ExposedStorage` throw a plain
 * `StorageException`, counted against the breaker: five such fetches switched L2 off for every
 * key, and its writes were retried. A rejected key is now a per-key miss and a dropped write.
 */
class RejectedKeySpec : FunSpec({
    val long = queryKey("search", "x".repeat(100))

    test("reads of a key the storage rejects are misses that never open the breaker") {
        runTest {
            val storage = ShortKeysOnly(InMemoryStorage { testScheduler.currentTime })
            val client = persistentClient(storage)
            repeat(10) {
                client.removeQueries(long)
                client.fetchQuery(queryOptions(long, queryFn = { "r$it" })) shouldBe "r$it"
            }
            client.fetchQuery(queryOptions(queryKey("short"), queryFn = { "s" }))
            client.flush()
            val stats = client.storageStats()!!
            stats.circuitOpen shouldBe false
            stats.skipped shouldBe 0
            storage.inner.get("stackquery:" + queryKey("short"))!!.contains("\"s\"") shouldBe true
            client.close()
        }
    }

    test("a rejected key in a batch drops that write alone, without retries; the rest of the batch lands") {
        runTest {
            val storage = ShortKeysOnly(InMemoryStorage { testScheduler.currentTime })
            val client = persistentClient(storage, storageWriteRetries = 3)
            val keys = listOf(queryKey("a"), long, queryKey("b"))
            for (key in keys) client.fetchQuery(queryOptions(key, queryFn = { "v" }))
            runCurrent()
            client.flush()
            val stats = client.storageStats()!!
            listOf(stats.writes, stats.writesDropped, stats.pendingWrites.toLong()) shouldBe listOf(2L, 1L, 0L)
            stats.circuitOpen shouldBe false
            client.close()
        }
    }
})
