package dev.stackquery.storage

import dev.stackquery.testing.FaultyStorage
import dev.stackquery.testing.ManualClock
import dev.stackquery.testing.StorageContract
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldStartWith
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull
import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.listDirectoryEntries
import kotlin.time.Duration
import kotlin.time.Duration.Companion.hours
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** A lower tier whose writes wait for [gate]; [entered] completes when the first write arrives. */
private class GatedTier : StorageBackend {
    val inner = InMemoryStorage()
    val entered = CompletableDeferred<Unit>()
    val gate = CompletableDeferred<Unit>()

    override suspend fun get(key: String): String? = inner.get(key)

    override suspend fun set(key: String, value: String, ttl: Duration?) {
        entered.complete(Unit)
        gate.await()
        inner.set(key, value, ttl)
    }

    override suspend fun delete(key: String) = inner.delete(key)
}

private inline fun <R> withTempDir(block: (Path) -> R): R {
    val dir = Files.createTempDirectory("stackquery-file")
    try {
        return block(dir)
    } finally {
        dir.toFile().deleteRecursively()
    }
}

/** What FileStorage and TieredStorage promise beyond the common contract. */
class FileAndTieredStorageSpec : FunSpec({
    test("FileStorage: every file stays inside the directory, whatever the key") {
        withTempDir { dir ->
            val root = dir.resolve("cache")
            val storage = FileStorage(root)
            for (key in StorageContract.NASTY_KEYS + listOf("/etc/passwd", "C:\\Windows\\win.ini", "NUL", "a\u0000b")) {
                storage.set(key, "v", null)
            }
            Files.walk(dir).use { paths ->
                paths.filter { Files.isRegularFile(it) }.forEach {
                    it.toAbsolutePath().toString() shouldStartWith
                        root.toString()
                }
            }
            Files.exists(dir.resolve("etc")) shouldBe false
            storage.get("/etc/passwd") shouldBe "v"
        }
    }

    test("FileStorage: two instances on one directory (two processes) see each other's writes and deletions") {
        withTempDir { dir ->
            val a = FileStorage(dir)
            val b = FileStorage(dir)
            a.set("shared", "from a", null)
            b.get("shared") shouldBe "from a"
            b.set("shared", "from b", 1.hours)
            a.get("shared") shouldBe "from b"
            coroutineScope {
                repeat(4) { w ->
                    launch(Dispatchers.IO) {
                        repeat(50) { i ->
                            val tier = if (w % 2 == 0) a else b
                            tier.set("k$w-$i", "$w$i", null)
                        }
                    }
                    launch(Dispatchers.IO) { repeat(50) { a.set("contended", "w$w", null) } }
                }
            }
            repeat(4) { w -> repeat(50) { i -> b.get("k$w-$i") shouldBe "$w$i" } }
            (b.get("contended")!!.startsWith("w")) shouldBe true
            a.deleteByPrefix("k") shouldBe 200L
            b.get("k0-0") shouldBe null
            dir.listDirectoryEntries().flatMap { it.listDirectoryEntries() }
                .none { it.fileName.toString().startsWith(".tmp-") } shouldBe true
        }
    }

    test("FileStorage: with a purge interval, the first write after it removes expired entries") {
        withTempDir { dir ->
            val clock = ManualClock()
            val storage = FileStorage(dir, clock, purgeInterval = 10.minutes)
            storage.set("old", "x", 1.minutes)
            clock.advanceBy(11.minutes)
            storage.set("new", "y", null)
            Files.walk(dir).use { paths -> paths.filter { it.toString().endsWith(".entry") }.count() } shouldBe 1L
        }
    }

    test("FileStorage: unreadable entries throw StorageException, or read as missing when silent") {
        withTempDir { dir ->
            val loud = FileStorage(dir)
            loud.set("k", "v", null)
            val files: List<Path> = Files.walk(dir).use { paths ->
                paths.filter { it.toString().endsWith(".entry") }.collect(java.util.stream.Collectors.toList())
            }
            for (file in files) {
                Files.delete(file)
                Files.createDirectory(file) // a directory where the file should be: reading it fails
            }
            shouldThrow<StorageException> { loud.get("k") }
            FileStorage(dir, silent = true).get("k") shouldBe null
        }
    }

    test("TieredStorage: a lower-tier hit is returned and backfilled into the tiers above; stats per tier") {
        val clock = ManualClock()
        val top = InMemoryStorage(clock)
        val middle = InMemoryStorage(clock)
        val bottom = InMemoryStorage(clock)
        val tiered = TieredStorage(listOf(top, middle, bottom), backfillTtl = 30.seconds)
        bottom.set("k", "deep", null)
        tiered.get("k") shouldBe "deep"
        top.get("k") shouldBe "deep"
        middle.get("k") shouldBe "deep"
        tiered.get("k") shouldBe "deep"
        tiered.get("missing") shouldBe null
        clock.advanceBy(31.seconds)
        top.get("k") shouldBe null // backfilled with backfillTtl
        tiered.stats().map { listOf(it.hits, it.misses, it.writes, it.backfills) } shouldBe listOf(
            listOf(1L, 2L, 1L, 1L),
            listOf(0L, 2L, 1L, 1L),
            listOf(1L, 1L, 0L, 0L),
        )
    }

    test(
        "TieredStorage: a failing tier is skipped on read and counted; a write-through to it throws after the others",
    ) {
        val clock = ManualClock()
        val broken = FaultyStorage(InMemoryStorage(clock)).apply { mode = FaultyStorage.Mode.THROW }
        val healthy = InMemoryStorage(clock)
        healthy.set("k", "v", null)
        val tiered = TieredStorage(listOf(broken, healthy))
        tiered.get("k") shouldBe "v"
        shouldThrow<StorageException> { tiered.set("k2", "v2", null) }
        healthy.get("k2") shouldBe "v2"
        tiered.stats()[0].errors shouldBe 3L // the read, the backfill after it, the write
    }

    test("TieredStorage WRITE_BACK: the first tier at once, the lower ones after flush, latest value last") {
        val clock = ManualClock()
        val top = InMemoryStorage(clock)
        val slow = FaultyStorage(InMemoryStorage(clock))
        val tiered = TieredStorage(listOf(top, slow), WriteStrategy.WRITE_BACK)
        repeat(20) { tiered.set("k", "v$it", null) }
        top.get("k") shouldBe "v19"
        tiered.flush()
        slow.inner.get("k") shouldBe "v19"
        tiered.delete("k")
        slow.inner.get("k") shouldBe null
        tiered.close()
    }

    test("TieredStorage rejects an empty tier list") {
        shouldThrow<IllegalArgumentException> { TieredStorage(emptyList()) }
    }

    test("TieredStorage WRITE_BACK: flush() returns even when later writes pushed older ones out of the full queue") {
        val lower = GatedTier()
        val tiered =
            TieredStorage(listOf(InMemoryStorage(), lower), WriteStrategy.WRITE_BACK, 5.minutes, maxPendingWrites = 2)
        tiered.set("k1", "1", null)
        lower.entered.await() // the background writer holds k1
        tiered.set("k2", "2", null)
        tiered.set("k3", "3", null) // the queue is full
        coroutineScope {
            val first = async(start = CoroutineStart.UNDISPATCHED) { tiered.flush() }
            tiered.set("k4", "4", null)
            tiered.set("k5", "5", null) // each pushes the oldest waiting out
            lower.gate.complete(Unit)
            val returned = withTimeoutOrNull(10.seconds) { first.await() }
            first.cancel()
            returned shouldBe Unit
        }
        tiered.flush()
        lower.inner.get("k5") shouldBe "5"
        tiered.close()
    }

    test("TieredStorage WRITE_BACK: a flush() waiting when the storage is closed returns") {
        val lower = GatedTier()
        val tiered = TieredStorage(listOf(InMemoryStorage(), lower), WriteStrategy.WRITE_BACK)
        tiered.set("k1", "1", null)
        lower.entered.await()
        coroutineScope {
            val flush = async(start = CoroutineStart.UNDISPATCHED) { tiered.flush() }
            tiered.close()
            val returned = withTimeoutOrNull(10.seconds) { flush.await() }
            flush.cancel()
            returned shouldBe Unit
        }
    }
})
