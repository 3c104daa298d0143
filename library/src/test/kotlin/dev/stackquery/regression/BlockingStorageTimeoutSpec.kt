package dev.stackquery.regression

import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import dev.stackquery.storage.StorageBackend
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds

/** A storage written the wrong way: its `get` blocks its thread (JDBC without a dispatcher, say) until [release]. */
private class BlockingStorage : StorageBackend {
    val release = CountDownLatch(1)

    override suspend fun get(key: String): String? {
        release.await(10, TimeUnit.SECONDS)
        return null
    }

    override suspend fun set(key: String, value: String, ttl: Duration?) {}

    override suspend fun delete(key: String) {}
}

/**
 * Issue 23, defect 6: `storageTimeout` did not hold for a storage that blocks its thread. The
 * storage call started undispatched, so a blocking `get` ran on the caller's thread before the
 * timeout was armed (`fetchQuery` took 10 s with a 2 s timeout). It now runs on the client's
 * dispatcher, and the caller stops waiting at the timeout. Real threads: a blocked thread cannot
 * be modelled in virtual time (the wait is bounded by the 200 ms timeout).
 */
class BlockingStorageTimeoutSpec : FunSpec({
    test("a fetch returns after storageTimeout even when the storage blocks its thread") {
        val storage = BlockingStorage()
        val config =
            QueryClientConfig(
                storage = storage,
                storageTimeout = 200.milliseconds,
                coroutineContext = Dispatchers.Default,
            )
        QueryClient(config).use { client ->
            try {
                val started = System.nanoTime()
                runBlocking { client.fetchQuery(queryOptions(queryKey("user"), queryFn = { "fetched" })) } shouldBe
                    "fetched"
                val tookMillis = (System.nanoTime() - started) / 1_000_000
                tookMillis shouldBeLessThan 5_000L // the storage blocks for 10 s
                client.storageStats()!!.timeouts shouldBe 1
            } finally {
                storage.release.countDown()
            }
        }
    }
})
