package dev.stackquery.regression

import dev.stackquery.persistentClient
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import dev.stackquery.storage.InMemoryStorage
import dev.stackquery.testing.FaultyStorage
import dev.stackquery.testing.FaultyStorage.Mode
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/**
 * Issue 23, defect 5: `flush()` on a broken storage waited out the breaker's cool-down again and
 * again (1,000 pending writes on a corrupt SQLite file: 999 still pending after 170 s). While a
 * flush waits, writes that meet an open breaker are now given up and counted, and
 * `flush(timeout)` bounds the wait.
 */
class FlushOnBrokenStorageSpec : FunSpec({
    test("flush() with 1,000 writes queued against a failing storage returns promptly, all of them counted") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime }).apply { mode = Mode.THROW }
            val client = persistentClient(storage, storageWriteRetries = 3)
            val keys = List(1_000) { queryKey("item", it) }
            for (key in keys) client.fetchQuery(queryOptions(key, queryFn = { "v" }))
            val started = currentTime
            client.flush()
            val stats = client.storageStats()!!
            (currentTime - started) shouldBeLessThan 30.seconds.inWholeMilliseconds // one cool-down is 30 s
            listOf(stats.writes, stats.writesDropped, stats.pendingWrites.toLong()) shouldBe listOf(0L, 1_000L, 0L)
            stats.circuitOpen shouldBe true
            client.close()
        }
    }

    test("flush(timeout) returns false once the timeout passed, and true when the writes land later") {
        runTest {
            val storage = FaultyStorage(InMemoryStorage { testScheduler.currentTime }).apply { mode = Mode.HANG }
            val client = persistentClient(storage, storageTimeout = 10.seconds)
            client.fetchQuery(queryOptions(queryKey("user"), queryFn = { "v" }))
            runCurrent()
            val started = currentTime
            client.flush(500.milliseconds) shouldBe false
            (currentTime - started) shouldBe 500L
            storage.mode = Mode.OK
            client.flush(1.minutes) shouldBe true
            client.storageStats()!!.writes shouldBe 1
            shouldThrow<IllegalArgumentException> { client.flush((-1).seconds) }
            client.close()
        }
    }
})
