@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.storage

import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.requireDispatching
import dev.stackquery.internal.isFatal
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.cancel
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import org.slf4j.LoggerFactory
import java.util.concurrent.Executor
import java.util.concurrent.atomic.LongAdder
import kotlin.coroutines.CoroutineContext
import kotlin.time.Duration
import kotlin.time.Duration.Companion.minutes
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration

/**
 * Several storages stacked from fastest to slowest (say [InMemoryStorage] over [FileStorage] over
 * an SQL or Redis storage), used as one [StorageBackend]:
 *
 * - **Reads** ask each tier in turn and return the first value found; a tier that throws counts
 *   an error and the next tier is asked. A value found in a lower tier is copied into the tiers
 *   above it (backfill) with [backfillTtl], since a stored value does not carry its remaining TTL.
 * - **Writes** follow [writeStrategy]: [WriteStrategy.WRITE_THROUGH] writes every tier before
 *   returning (and throws if a tier failed, after trying all); [WriteStrategy.WRITE_BACK] writes the
 *   first tier, then the others in the background, in order, latest value per key, at most
 *   [maxPendingWrites] waiting (the oldest dropped past that). Deletions (and writes with a zero
 *   or negative TTL, which remove the entry) always reach every tier before returning, after the
 *   background writes queued before them.
 * - **Stats** per tier: [stats].
 *
 * - **Background work.** The WRITE_BACK writer is one coroutine on [coroutineContext] (default
 *   [Dispatchers.Default]); pass the client's context (`QueryClientConfig.coroutineContext`) so it
 *   runs on the client's dispatcher, and a test's `StandardTestDispatcher` so it runs in virtual
 *   time. A [Job] in the context is ignored: the writer lives until [close]. WRITE_THROUGH starts
 *   no coroutine.
 *
 * [close] closes every tier. Thread-safe.
 *
 * ```kotlin
 * val storage = TieredStorage(listOf(InMemoryStorage(), FileStorage(Path.of("cache"))))
 * val writeBack = TieredStorage(tiers, WriteStrategy.WRITE_BACK, coroutineContext = config.coroutineContext)
 * ```
 * From Java: `new TieredStorage(List.of(memory, files), WriteStrategy.WRITE_BACK)`, or with an
 * executor for the writer: `new TieredStorage(tiers, WriteStrategy.WRITE_BACK, Duration.ofMinutes(5), 10_000, executor)`.
 *
 * @param coroutineContext where the WRITE_BACK writer runs; default [Dispatchers.Default]. It must
 *   have a dispatching dispatcher (an unconfined one is rejected: it would run the lower tiers'
 *   writes inside [set]).
 * @throws IllegalArgumentException when [tiers] is empty, for a non-positive [backfillTtl] or
 *   `maxPendingWrites < 1`, or an unconfined [coroutineContext].
 */
public class TieredStorage @JvmOverloads constructor(
    tiers: List<StorageBackend>,
    public val writeStrategy: WriteStrategy = WriteStrategy.WRITE_THROUGH,
    @get:JvmSynthetic public val backfillTtl: Duration? = 5.minutes,
    private val maxPendingWrites: Int = 10_000,
    coroutineContext: CoroutineContext = Dispatchers.Default,
) : PrefixDeletableStorage, PurgeableStorage {
    /** The tiers, fastest first. */
    public val tiers: List<StorageBackend> = tiers.toList()

    private class Counters {
        val hits = LongAdder()
        val misses = LongAdder()
        val errors = LongAdder()
        val writes = LongAdder()
        val backfills = LongAdder()
    }

    private val counters = List(this.tiers.size) { Counters() }
    private val log = LoggerFactory.getLogger(TieredStorage::class.java)

    /** WRITE_BACK: a write the lower tiers still have to receive; [seq] numbers them in queue order. */
    private class Pending(val key: String, val value: String, val ttl: Duration?, val seq: Long)

    private val queue =
        Channel<Pending>(maxPendingWrites, onBufferOverflow = kotlinx.coroutines.channels.BufferOverflow.DROP_OLDEST)
    private val queueLock = Any()
    private var queued = 0L // guarded by queueLock: seq of the latest write queued

    /**
     * Seq of the latest write the background writer finished ([Long.MAX_VALUE] once closed). A
     * flush waits for it to reach the latest write queued: writes pushed out of the full queue are
     * skipped, but never the newest one, so it always gets there.
     */
    private val written = MutableStateFlow(0L)
    private val scope = CoroutineScope(
        requireDispatching(coroutineContext, "coroutineContext", "run the lower tiers' writes inside set()")
            .minusKey(Job) + SupervisorJob() + CoroutineName("TieredStorage"),
    )

    init {
        require(this.tiers.isNotEmpty()) { "tiers must not be empty" }
        require(backfillTtl == null || backfillTtl.isPositive()) { "backfillTtl must be positive, was $backfillTtl" }
        require(maxPendingWrites >= 1) { "maxPendingWrites must be >= 1, was $maxPendingWrites" }
        if (writeStrategy == WriteStrategy.WRITE_BACK) {
            scope.launch {
                for (pending in queue) {
                    for (i in 1 until this@TieredStorage.tiers.size) {
                        try {
                            tierSet(i, pending.key, pending.value, pending.ttl)
                        } catch (e: CancellationException) {
                            throw e
                        } catch (e: Throwable) {
                            if (e.isFatal()) throw e
                            log.warn(
                                "TieredStorage: background write of {} to tier {} failed: {}",
                                pending.key,
                                i,
                                e.toString(),
                            )
                        }
                    }
                    written.update { maxOf(it, pending.seq) }
                }
            }
        }
    }

    /**
     * A Java-friendly constructor: [backfillTtl] as a `java.time.Duration` (`null`: backfilled
     * entries never expire), and the most WRITE_BACK writes that may wait (default 10,000).
     */
    @JvmOverloads
    public constructor(
        tiers: List<StorageBackend>,
        writeStrategy: WriteStrategy,
        backfillTtl: java.time.Duration?,
        maxPendingWrites: Int = 10_000,
    ) : this(tiers, writeStrategy, backfillTtl?.toKotlinDuration(), maxPendingWrites)

    /**
     * As the Java-friendly constructor, running the WRITE_BACK writer on [executor] (converted with
     * `asCoroutineDispatcher()`; the storage never shuts it down). It must run tasks on its own
     * threads, never inline in `execute`.
     */
    public constructor(
        tiers: List<StorageBackend>,
        writeStrategy: WriteStrategy,
        backfillTtl: java.time.Duration?,
        maxPendingWrites: Int,
        executor: Executor,
    ) : this(tiers, writeStrategy, backfillTtl?.toKotlinDuration(), maxPendingWrites, executor.asCoroutineDispatcher())

    /** [backfillTtl] for Java callers; `null` when backfilled entries never expire. */
    public val backfillTtlDuration: java.time.Duration? get() = backfillTtl?.toJavaDuration()

    override suspend fun get(key: String): String? {
        for ((i, tier) in tiers.withIndex()) {
            val value = try {
                tier.get(key)
            } catch (e: CancellationException) {
                throw e
            } catch (e: Throwable) {
                if (e.isFatal()) throw e
                counters[i].errors.increment()
                continue
            }
            if (value == null) {
                counters[i].misses.increment()
                continue
            }
            counters[i].hits.increment()
            for (upper in 0 until i) {
                try {
                    tierSet(upper, key, value, backfillTtl)
                    counters[upper].backfills.increment()
                } catch (e: CancellationException) {
                    throw e
                } catch (e: Throwable) {
                    if (e.isFatal()) throw e
                    // counted by tierSet; the value was found, so the read succeeds
                }
            }
            return value
        }
        return null
    }

    override suspend fun set(key: String, value: String, ttl: Duration?) {
        // A zero or negative TTL removes the entry: like delete, it reaches every tier before
        // returning (in the background, a read meanwhile would find the lower tiers' old value).
        val removes = ttl != null && !ttl.isPositive()
        if (writeStrategy == WriteStrategy.WRITE_BACK && !removes) {
            tierSet(0, key, value, ttl)
            val sent = synchronized(queueLock) { queue.trySend(Pending(key, value, ttl, ++queued)) }
            if (sent.isClosed) throw StorageException("TieredStorage is closed")
            return
        }
        if (removes) flush()
        everyTier("write $key") { i -> tierSet(i, key, value, ttl) }
    }

    override suspend fun delete(key: String) {
        flush()
        everyTier("delete $key") { i -> guarded(i) { tiers[i].delete(key) } }
    }

    /**
     * Removes the keys under [prefix] from every tier that can ([PrefixDeletableStorage]); returns
     * the largest count of any tier (the number of distinct entries when the tiers held the same keys).
     */
    override suspend fun deleteByPrefix(prefix: String): Long {
        flush()
        var removed = 0L
        everyTier("delete prefix $prefix") { i ->
            val tier = tiers[i]
            if (tier is PrefixDeletableStorage) removed = maxOf(removed, guarded(i) { tier.deleteByPrefix(prefix) })
        }
        return removed
    }

    /** Purges every tier that can ([PurgeableStorage]); returns the largest count of any tier. */
    override suspend fun purgeExpired(): Int {
        var removed = 0
        everyTier("purge") { i ->
            val tier = tiers[i]
            if (tier is PurgeableStorage) removed = maxOf(removed, guarded(i) { tier.purgeExpired() })
        }
        return removed
    }

    /** Waits until the background writes queued before this call reached the lower tiers (WRITE_BACK); no-op otherwise. */
    public suspend fun flush() {
        if (writeStrategy != WriteStrategy.WRITE_BACK) return
        val target = synchronized(queueLock) { queued }
        written.first { it >= target }
    }

    /** Per-tier counters, fastest tier first. */
    public fun stats(): List<TierStats> = tiers.indices.map { i ->
        val c = counters[i]
        TierStats(
            i,
            tiers[i].toString(),
            c.hits.sum(),
            c.misses.sum(),
            c.errors.sum(),
            c.writes.sum(),
            c.backfills.sum(),
        )
    }

    /**
     * Stops the background writer and closes every tier (errors of one do not stop the others).
     * WRITE_BACK writes not yet sent to the lower tiers are dropped: call [flush] first to keep
     * them. A [flush] waiting meanwhile returns.
     */
    override fun close() {
        queue.close()
        scope.cancel()
        written.value = Long.MAX_VALUE
        var first: Throwable? = null
        for (tier in tiers) {
            try {
                tier.close()
            } catch (e: Exception) {
                if (first == null) first = e else first.addSuppressed(e)
            }
        }
        first?.let { throw StorageException("closing a tier failed", it) }
    }

    override fun toString(): String = "TieredStorage($tiers, $writeStrategy)"

    private suspend fun tierSet(i: Int, key: String, value: String, ttl: Duration?) {
        guarded(i) { tiers[i].set(key, value, ttl) }
        counters[i].writes.increment()
    }

    private suspend inline fun <R> guarded(i: Int, block: () -> R): R = try {
        block()
    } catch (e: CancellationException) {
        throw e
    } catch (e: Throwable) {
        if (e.isFatal()) throw e
        counters[i].errors.increment()
        throw e
    }

    /** Runs [op] on every tier, then throws a [StorageException] if any failed. */
    private suspend inline fun everyTier(what: String, op: (Int) -> Unit) {
        var failure: Throwable? = null
        for (i in tiers.indices) {
            try {
                op(i)
            } catch (e: CancellationException) {
                throw e
            } catch (e: Throwable) {
                if (e.isFatal()) throw e
                if (failure == null) failure = e else failure.addSuppressed(e)
            }
        }
        failure?.let { throw it as? StorageException ?: StorageException("TieredStorage $what failed", it) }
    }
}
