package dev.stackquery.storage

import dev.stackquery.QueryClock
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.delay
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import java.nio.file.Files
import java.nio.file.Path
import kotlin.coroutines.ContinuationInterceptor
import kotlin.coroutines.CoroutineContext
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/**
 * A lower tier whose every write takes [writeTime] (a coroutine `delay`, so virtual time in a
 * test) and records `key=value@<scheduler time>` as it starts, with the dispatcher it runs on.
 */
private class SlowRecordingTier(private val scope: TestScope, private val writeTime: Duration) : StorageBackend {
    val inner = InMemoryStorage()
    val writes = mutableListOf<String>()
    val dispatchers = mutableSetOf<CoroutineContext.Element?>()

    override suspend fun get(key: String): String? = inner.get(key)

    override suspend fun set(key: String, value: String, ttl: Duration?) {
        writes += "$key=$value@${scope.currentTime}"
        dispatchers += currentCoroutineContext()[ContinuationInterceptor]
        delay(writeTime)
        inner.set(key, value, ttl)
    }

    override suspend fun delete(key: String) = inner.delete(key)
}

private fun entryFiles(dir: Path): Long = Files.walk(dir).use { paths ->
    paths.filter { it.toString().endsWith(".entry") }.count()
}

/** Storages whose background work runs on an injected context: the client's dispatcher, or virtual time. */
class StorageContextSpec : FunSpec({
    test(
        "TieredStorage WRITE_BACK: the writer runs on the given dispatcher, in virtual time, one write after the other in order",
    ) {
        runTest {
            val dispatcher = StandardTestDispatcher(testScheduler)
            val top = InMemoryStorage()
            val lower = SlowRecordingTier(this, writeTime = 100.milliseconds)
            val tiered = TieredStorage(listOf(top, lower), WriteStrategy.WRITE_BACK, coroutineContext = dispatcher)
            tiered.set("a", "1", null)
            tiered.set("b", "2", null)
            tiered.set("a", "3", null)
            top.get("a") shouldBe "3"
            lower.writes.shouldBeEmpty() // the writer runs only when the test's scheduler does

            runCurrent()
            lower.writes shouldBe listOf("a=1@0")
            advanceTimeBy(100.milliseconds)
            runCurrent()
            lower.writes shouldBe listOf("a=1@0", "b=2@100")

            tiered.flush()
            lower.writes shouldBe listOf("a=1@0", "b=2@100", "a=3@200")
            currentTime shouldBe 300
            lower.inner.get("a") shouldBe "3"
            lower.dispatchers shouldBe setOf(dispatcher)
            tiered.close()
        }
    }

    test("TieredStorage WRITE_BACK: delete waits in virtual time for the background writes queued before it") {
        runTest {
            val lower = SlowRecordingTier(this, writeTime = 1.seconds)
            val tiered = TieredStorage(
                listOf(InMemoryStorage(), lower),
                WriteStrategy.WRITE_BACK,
                coroutineContext = StandardTestDispatcher(testScheduler),
            )
            tiered.set("k", "v", null)
            tiered.delete("k")
            currentTime shouldBe 1_000
            lower.writes shouldBe listOf("k=v@0")
            lower.inner.get("k") shouldBe null
            tiered.close()
        }
    }

    test("TieredStorage WRITE_BACK regression: a zero-TTL write removes the entry from every tier before returning") {
        // Was flaky in the contract suite: the lower tiers' removal went to the background writer,
        // so a read right after it found their old value (and backfilled it).
        runTest {
            val lower = InMemoryStorage()
            val tiered = TieredStorage(
                listOf(InMemoryStorage(), lower),
                WriteStrategy.WRITE_BACK,
                coroutineContext = StandardTestDispatcher(testScheduler),
            )
            tiered.set("k", "v", null)
            tiered.flush()
            tiered.set("k", "gone", Duration.ZERO) // the writer does not run in between: only set itself can remove it
            tiered.get("k") shouldBe null
            lower.get("k") shouldBe null
            tiered.close()
        }
    }

    test("TieredStorage: a Job in the context is ignored, so the writer is not a child of it") {
        runTest {
            val job = coroutineContext[Job]!!
            val before = job.children.count()
            val tiered = TieredStorage(
                listOf(InMemoryStorage(), InMemoryStorage()),
                WriteStrategy.WRITE_BACK,
                coroutineContext = coroutineContext + CoroutineName("writer"),
            )
            runCurrent()
            job.children.count() shouldBe before
            tiered.close()
        }
    }

    test("TieredStorage rejects an unconfined context, naming the parameter") {
        shouldThrow<IllegalArgumentException> {
            TieredStorage(
                listOf(InMemoryStorage()),
                WriteStrategy.WRITE_BACK,
                coroutineContext = Dispatchers.Unconfined,
            )
        }.message shouldContain "coroutineContext must have a dispatching dispatcher"
    }

    test("FileStorage: the purge interval follows the virtual clock, and file work runs on the given dispatcher") {
        val dir = Files.createTempDirectory("stackquery-file")
        try {
            runTest {
                val clock = QueryClock { testScheduler.currentTime }
                val storage =
                    FileStorage(
                        dir,
                        clock,
                        purgeInterval = 10.minutes,
                        ioContext = StandardTestDispatcher(testScheduler),
                    )
                storage.set("old", "x", 1.minutes)
                advanceTimeBy(9.minutes)
                storage.set("mid", "y", null) // 9 minutes after creation: no purge yet
                entryFiles(dir) shouldBe 2L // "old" expired 8 minutes ago but stays until the interval passed
                advanceTimeBy(2.minutes)
                storage.set("new", "z", null) // 11 minutes: the first write after the interval purges
                entryFiles(dir) shouldBe 2L
                storage.get("mid") shouldBe "y"
                storage.get("new") shouldBe "z"
            }
        } finally {
            dir.toFile().deleteRecursively()
        }
    }

    test("AsyncStorageBackend.of with a context: each call runs there, so a slow storage completes in virtual time") {
        runTest {
            val lower = SlowRecordingTier(this, writeTime = 5.seconds)
            val dispatcher = StandardTestDispatcher(testScheduler)
            val adapter = AsyncStorageBackend.of(lower, dispatcher + CoroutineName("adapter"))
            val written = adapter.set("k", "v", java.time.Duration.ofMinutes(1)).toCompletableFuture()
            runCurrent()
            written.isDone shouldBe false
            advanceTimeBy(5.seconds)
            runCurrent()
            written.isDone shouldBe true
            adapter.get("k").toCompletableFuture().also { runCurrent() }.getNow("not done") shouldBe "v"
            lower.dispatchers shouldBe setOf(dispatcher)
            adapter.close()
        }
    }
})
