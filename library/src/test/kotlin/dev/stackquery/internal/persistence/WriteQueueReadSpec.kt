package dev.stackquery.internal.persistence

import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryFilter
import dev.stackquery.QueryKey
import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import dev.stackquery.internal.ResolvedOptions
import dev.stackquery.queryKey
import dev.stackquery.storage.BatchStorage
import dev.stackquery.storage.InMemoryStorage
import dev.stackquery.storage.PrefixDeletableStorage
import dev.stackquery.storage.QueryCodec
import dev.stackquery.storage.StorageEntry
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield
import kotlinx.serialization.builtins.serializer
import java.lang.management.ManagementFactory
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration
import kotlin.time.Duration.Companion.hours
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.nanoseconds
import kotlin.time.Duration.Companion.seconds

/**
 * A storage whose reads answer at once from [inner] and whose writes wait for [gate]: the client's
 * writer is stuck on its first write, so everything written after it stays queued.
 */
private class GatedStorage : BatchStorage, PrefixDeletableStorage {
    val inner = InMemoryStorage()
    val gate = CompletableDeferred<Unit>()
    val reads = AtomicInteger()
    val writesStarted = AtomicInteger()

    override suspend fun get(key: String): String? = inner.get(key).also { reads.incrementAndGet() }

    override suspend fun getAll(keys: Collection<String>): Map<String, String> = inner.getAll(keys)

    override suspend fun set(key: String, value: String, ttl: Duration?) {
        writesStarted.incrementAndGet()
        gate.await()
        inner.set(key, value, ttl)
    }

    override suspend fun setAll(entries: List<StorageEntry>) {
        writesStarted.incrementAndGet()
        gate.await()
        inner.setAll(entries)
    }

    override suspend fun delete(key: String) {
        writesStarted.incrementAndGet()
        gate.await()
        inner.delete(key)
    }

    override suspend fun deleteByPrefix(prefix: String): Long {
        writesStarted.incrementAndGet()
        gate.await()
        return inner.deleteByPrefix(prefix)
    }
}

private val ints = QueryCodec.kotlinx(Int.serializer())

private fun persistence(storage: GatedStorage, maxPendingWrites: Int = 200_000) = L2Tier(
    storage,
    QueryClientConfig(storage = storage, storageTimeout = 1.hours, maxPendingWrites = maxPendingWrites),
    Dispatchers.Default,
)

private val intOptions = ResolvedOptions.resolve(QueryOptions(queryKey("i"), { 0 }, codec = ints), QueryClientConfig())

private fun L2Tier.put(key: QueryKey, value: Int) = persist(key, intOptions, QueryState.success(value, 1L))

/** Queues the deletion of every entry under [prefix]; true when the storage can delete by prefix. */
private fun L2Tier.deletePrefix(prefix: QueryKey): Boolean = deleteForInvalidation(QueryFilter.prefix(prefix))

/**
 * The write queue of the L2 tier as reads see it: a read answers from the newest queued
 * operation on its key, and costs the same however many writes are queued.
 */
class WriteQueueReadSpec : FunSpec({
    test(
        "a read costs the same with 100,000 writes queued (regression: every read scanned the whole queue for prefix deletions)",
    ) {
        val storage = GatedStorage()
        val persistence = persistence(storage)
        val reads = 10_000
        // The reads' CPU time on this thread, not wall time: on a shared machine other processes'
        // load must not pass for the cost of a read. runBlocking keeps every step on this thread
        // (the in-memory storage answers without suspending, so nothing moves elsewhere).
        val cpu = ManagementFactory.getThreadMXBean()
        fun timeReads(name: String): Duration = runBlocking {
            val started = cpu.currentThreadCpuTime
            for (i in 0 until reads) persistence.read(queryKey(name, i), ints) shouldBe null
            (cpu.currentThreadCpuTime - started).nanoseconds
        }
        timeReads("warm-up") // the JIT
        val empty = timeReads("empty")
        val queued = 100_000
        for (i in 0 until queued) persistence.put(queryKey("queued", i), i)
        // Before the fix each read of a key with nothing queued walked all 100,000 queued writes
        // looking for a prefix deletion: 10^9 steps for these reads, seconds at best (115 s for twice
        // as many on the shared 2-core test machine), hundreds of times the reads with an empty queue.
        val full = timeReads("full")
        println("$reads reads: $empty with an empty queue, $full with $queued writes queued")
        (full < empty * 4 + 250.milliseconds) shouldBe true
        storage.reads.get() shouldBe 3 * reads
        persistence.stats().misses shouldBe 3L * reads
        persistence.stats().pendingWrites shouldBe queued
        persistence.read(queryKey("queued", 99_999), ints)!!.data shouldBe 99_999 // answered from the queue

        storage.gate.complete(Unit)
        withTimeout(30.seconds) { persistence.flush() }
        persistence.stats().writes shouldBe queued.toLong()
        persistence.close()
    }

    test("a queued prefix deletion hides the stored entries under it until a newer write of a key") {
        val storage = GatedStorage()
        storage.inner.set("stackquery:[\"user\",1]", """{"v":1,"data":1,"dataUpdatedAt":1,"invalidated":false}""", null)
        storage.inner.set("stackquery:[\"user\",2]", """{"v":1,"data":2,"dataUpdatedAt":1,"invalidated":false}""", null)
        storage.inner.set("stackquery:[\"post\",1]", """{"v":1,"data":3,"dataUpdatedAt":1,"invalidated":false}""", null)
        val persistence = persistence(storage)
        persistence.put(queryKey("blocker"), 0) // the writer takes it and waits at the gate
        persistence.deletePrefix(queryKey("user")) shouldBe true
        persistence.put(queryKey("user", 2), 20)

        persistence.read(queryKey("user", 1), ints) shouldBe null
        persistence.read(queryKey("user", 2), ints)!!.data shouldBe 20
        persistence.read(queryKey("post", 1), ints)!!.data shouldBe 3
        storage.reads.get() shouldBe 1 // only ["post",1] went to the storage

        storage.gate.complete(Unit)
        withTimeout(30.seconds) { persistence.flush() }
        persistence.read(queryKey("user", 1), ints) shouldBe null
        persistence.read(queryKey("user", 2), ints)!!.data shouldBe 20
        persistence.close()
    }

    test("a prefix deletion dropped from a full queue no longer hides the stored entries") {
        val storage = GatedStorage()
        storage.inner.set("stackquery:[\"user\",1]", """{"v":1,"data":1,"dataUpdatedAt":1,"invalidated":false}""", null)
        val persistence = persistence(storage, maxPendingWrites = 3)
        persistence.put(queryKey("blocker"), 0)
        withTimeout(30.seconds) { while (storage.writesStarted.get() == 0) yield() } // the writer holds it
        persistence.deletePrefix(queryKey("user")) // two operations: the prefix, then the exact key ["user"]
        persistence.read(queryKey("user", 1), ints) shouldBe null
        persistence.put(queryKey("a"), 1) // over the bound of 3 waiting: the prefix deletion, eldest, is dropped
        persistence.put(queryKey("b"), 2) // and then the exact deletion
        persistence.stats().writesDropped shouldBe 2
        persistence.read(queryKey("user", 1), ints)!!.data shouldBe 1
        storage.gate.complete(Unit)
        withTimeout(30.seconds) { persistence.flush() }
        persistence.close()
    }
})
