package dev.stackquery.regression

import dev.stackquery.QueryOptions
import dev.stackquery.internal.isFatal
import dev.stackquery.persistentClient
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import dev.stackquery.storage.InMemoryStorage
import dev.stackquery.storage.QueryCodec
import dev.stackquery.storage.StorageBackend
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

/** An in-memory storage whose next read or write throws [next] once (an `Error`, not an `Exception`). */
private class ThrowsOnce(val inner: InMemoryStorage) : StorageBackend {
    var nextRead: Throwable? = null
    var nextWrite: Throwable? = null

    override suspend fun get(key: String): String? {
        nextRead?.let { nextRead = null; throw it }
        return inner.get(key)
    }

    override suspend fun set(key: String, value: String, ttl: Duration?) {
        nextWrite?.let { nextWrite = null; throw it }
        inner.set(key, value, ttl)
    }

    override suspend fun delete(key: String) = inner.delete(key)
}

/**
 * Issue 23, defects 2 and 3: a JVM `Error` from `storage.set` or a codec's `encode` ended the
 * client's writer for good (the next 99 writes dropped, nothing counted, the breaker closed), and
 * one from a storage read failed `fetchQuery` without calling the query function. Every throwable
 * but a fatal `VirtualMachineError` is now a counted storage (or codec) failure.
 */
class StorageErrorKillsPersistenceSpec : FunSpec({
    val keys = List(100) { queryKey("item", it) }

    test("a NotImplementedError from set is one counted, retried failure: all 100 writes still land") {
        runTest {
            val storage = ThrowsOnce(InMemoryStorage { testScheduler.currentTime }).apply {
                nextWrite =
                    NotImplementedError()
            }
            val client = persistentClient(storage)
            for (key in keys) client.fetchQuery(queryOptions(key, queryFn = { "v${key[1]}" }))
            advanceTimeBy(10.seconds) // the retry's backoff
            client.flush()
            val stats = client.storageStats()!!
            listOf(stats.writes, stats.errors, stats.writesDropped, stats.pendingWrites.toLong()) shouldBe
                listOf(100L, 1L, 0L, 0L)
            for (key in keys) storage.inner.get("stackquery:$key")!!.contains("\"v${key[1]}\"") shouldBe true
            client.close()
        }
    }

    test("a codec's StackOverflowError drops that one write, counted; the writer goes on with the rest") {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            val client = persistentClient(storage)
            val cyclic = QueryCodec.of<String>({
                if (it ==
                    "cyclic"
                ) {
                    throw StackOverflowError()
                } else {
                    "\"$it\""
                }
            }, { it })
            client.fetchQuery(QueryOptions(queryKey("cyclic"), queryFn = { "cyclic" }, codec = cyclic))
            for (key in keys) client.fetchQuery(queryOptions(key, queryFn = { "v" }))
            client.flush()
            val stats = client.storageStats()!!
            listOf(stats.writes, stats.writesDropped, stats.pendingWrites.toLong()) shouldBe listOf(100L, 1L, 0L)
            storage.get("stackquery:" + queryKey("cyclic")) shouldBe null
            client.close()
        }
    }

    test("an Error from a storage read is a counted miss: fetchQuery calls the query function") {
        for (error in listOf(NotImplementedError(), StackOverflowError())) {
            runTest {
                val storage = ThrowsOnce(InMemoryStorage { testScheduler.currentTime }).apply { nextRead = error }
                val client = persistentClient(storage)
                var calls = 0
                client.fetchQuery(queryOptions(queryKey("user"), queryFn = { calls++; "fetched" })) shouldBe "fetched"
                runCurrent()
                calls shouldBe 1
                client.storageStats()!!.errors shouldBe 1
                client.close()
            }
        }
    }

    test("only VirtualMachineErrors other than StackOverflowError are fatal") {
        listOf(
            OutOfMemoryError(),
            InternalError(),
            StackOverflowError(),
            NotImplementedError(),
            IllegalStateException(),
        )
            .map { it.isFatal() } shouldBe listOf(true, true, false, false, false)
    }
})
