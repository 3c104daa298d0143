package dev.stackquery.internal.persistence

import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryFilter
import dev.stackquery.QueryKey
import dev.stackquery.QueryState
import dev.stackquery.internal.ResolvedOptions
import dev.stackquery.internal.store.selectsByKeyOnly
import dev.stackquery.storage.CodecException
import dev.stackquery.storage.PrefixDeletableStorage
import dev.stackquery.storage.QueryCodec
import dev.stackquery.storage.StorageBackend
import dev.stackquery.storage.StorageStats
import kotlinx.coroutines.CoroutineExceptionHandler
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.withTimeoutOrNull
import org.slf4j.LoggerFactory
import kotlin.coroutines.CoroutineContext
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds

/**
 * A client's L2 tier, and the one place that decides what reaches it: when a query reads its
 * persisted entry ([wantsHydration], [read]), which states are written ([persist]), and which
 * entries a removal, reset or invalidation deletes ([deleteFor], [deleteForInvalidation]).
 *
 * Every storage call is bounded by `storageTimeout` ([StorageCaller]); a failure or timeout is
 * counted, logged (rate-limited) and reported to the [CircuitBreaker]; it never reaches a query.
 * Writes go through the [WriteQueue] (latest wins per key, in order) to the one [StorageWriter].
 * Reads see the queue, so they never return what this client overwrote or deleted but has not
 * sent yet.
 */
internal class L2Tier(
    private val storage: StorageBackend,
    private val config: QueryClientConfig,
    context: CoroutineContext,
) {
    private val clock = config.clock
    private val buster = config.buster
    private val keys = StorageKeys(config.storageNamespace)
    private val breaker = CircuitBreaker(config.storageFailureThreshold, config.storageCoolDownMillis, clock)
    private val counters = StorageCounters()
    private val log = StorageLog(LoggerFactory.getLogger(L2Tier::class.java), clock, "StackQuery L2 storage")

    private val queue = WriteQueue(config.maxPendingWrites, config.writeBatchSize) { count, overflow ->
        counters.writesDropped.add(count.toLong())
        if (overflow) log.warn("more than ${config.maxPendingWrites} storage writes waiting: dropped the oldest", null)
    }

    /** The writer's job: a sibling of the client's scope, so `close()` can let it finish the queue. */
    private val writerJob = SupervisorJob(context[Job])
    private val scope = CoroutineScope(
        context + writerJob + CoroutineName("StackQuery storage") +
            CoroutineExceptionHandler { _, e -> log.warn("background storage task", e) },
    )
    private val caller =
        StorageCaller(scope, config.storageTimeoutMillis, breaker, counters, log, config.storageCoolDown.toString())
    private val writer = StorageWriter(
        storage, queue, caller, breaker, counters, log, buster,
        config.storageWriteRetries, config.storageCoolDownMillis, config.maxValueBytes,
    )

    init {
        writer.start(scope, writerJob)
    }

    // ---- policy ----

    /** Whether a fetch of a query in [state] reads its persisted entry first: it persists, has no data and never read it. */
    fun wantsHydration(options: ResolvedOptions<*>, state: QueryState<*>, hydrated: Boolean): Boolean =
        !hydrated && !state.hasData && options.options.codec != null

    /** Queues [snapshot] of [key] if the query persists (it has a codec) and the state holds real data. */
    fun <T> persist(key: QueryKey, options: ResolvedOptions<T>?, snapshot: QueryState<T>) {
        val codec = options?.options?.codec ?: return
        if (!snapshot.hasData || snapshot.isPlaceholderData) return
        @Suppress("UNCHECKED_CAST") // hasData: data is a T, even when T is nullable
        val data = snapshot.data as T
        queue.enqueue(
            WriteOp.Put(
                keys.of(key),
                data,
                snapshot.dataUpdatedAt,
                snapshot.isInvalidated,
                codec,
                ttl(options.gcTimeMillis),
            ),
        )
    }

    /**
     * Deletes the persisted entries of a removal or reset: everything under the filter's key when
     * it selects by key alone (entries not in memory included), else [matched]'s.
     */
    fun deleteFor(filter: QueryFilter, matched: List<QueryKey>) {
        if (deleteByKey(filter)) return
        for (key in matched) queue.enqueue(WriteOp.Delete(keys.of(key)))
    }

    /**
     * Before an invalidation by key: persisted entries no query in memory holds cannot carry the
     * flag, so they are all deleted, and the held ones are then written back flagged. Returns
     * whether it deleted (the caller must then rewrite every matched query, flagged already or not).
     */
    fun deleteForInvalidation(filter: QueryFilter): Boolean = deleteByKey(filter)

    /**
     * Deletes every persisted entry [filter] selects, in memory or not, when it selects by key
     * alone (and, for a prefix, the storage can delete by prefix); false when it cannot.
     */
    private fun deleteByKey(filter: QueryFilter): Boolean {
        if (!filter.selectsByKeyOnly) return false
        val key = filter.queryKey
        if (key != null && filter.exact) {
            queue.enqueue(WriteOp.Delete(keys.of(key)))
            return true
        }
        if (storage !is PrefixDeletableStorage) return false
        val prefix = key ?: QueryKey.EMPTY
        val ops = ArrayList<WriteOp>(2)
        ops += WriteOp.DeletePrefix(keys.underPrefix(prefix))
        // In the same step: a write of the exact key queued between the two would be replaced by it.
        if (keys.deletesExact(prefix)) ops += WriteOp.Delete(keys.of(prefix))
        queue.enqueueAll(ops)
        return true
    }

    /** The TTL of an entry: `persistMaxAge`, else the query's gc time; `null` for never. */
    private fun ttl(gcTimeMillis: Long): Duration? {
        val millis = if (config.persistMaxAgeMillis >= 0) config.persistMaxAgeMillis else gcTimeMillis
        return if (millis == Long.MAX_VALUE) null else millis.milliseconds
    }

    // ---- reads ----

    /**
     * The entry persisted for [key], or `null` (missing, undecodable, another version or buster,
     * breaker open, failed or timed out: all counted). Returns within `storageTimeout`; throws
     * only the caller's own cancellation.
     */
    suspend fun <T> read(key: QueryKey, codec: QueryCodec<T>): Persisted<T>? {
        val storageKey = keys.of(key)
        val (local, since) = queue.latest(storageKey)
        when (local) {
            is WriteOp.Put<*> -> {
                @Suppress("UNCHECKED_CAST") // a Put under this key was queued by a query of the same type
                return (local as WriteOp.Put<T>).persisted()
            }
            null -> {}
            else -> {
                counters.misses.increment()
                return null
            }
        }
        if (!breaker.tryAcquire()) {
            counters.skipped.increment()
            return null
        }
        val started = System.nanoTime()
        val text = try {
            caller.call("read $storageKey") { storage.get(storageKey) }
        } catch (e: StorageFailure) {
            return null
        }
        counters.reads.increment()
        counters.readNanos.add(System.nanoTime() - started)
        if (text == null) {
            counters.misses.increment()
            return null
        }
        val persisted = try {
            Envelope.decode(text, buster, codec, clock.nowMillis())
        } catch (e: CodecException) {
            log.warn("decode $storageKey", e)
            null
        }
        if (persisted == null) {
            counters.corrupt.increment()
            queue.enqueueUnlessChangedSince(storageKey, since, WriteOp.Delete(storageKey))
        }
        return persisted
    }

    /** Counts a hydration that found data: fresh ([stale] false) or stale. */
    fun countHit(persisted: Persisted<*>, stale: Boolean) = when {
        persisted.pending -> counters.pendingHits
        stale -> counters.staleHits
        else -> counters.hits
    }.increment()

    // ---- lifecycle ----

    /**
     * Waits until every operation queued before this call has been written or given up; while
     * it waits, operations that meet an open breaker are given up at once.
     */
    suspend fun flush() = writer.flushing { queue.flush() }

    /** [flush], for at most [timeoutMillis]: true when everything queued before the call was finished with. */
    suspend fun flush(timeoutMillis: Long): Boolean =
        writer.flushing { withTimeoutOrNull(timeoutMillis) { queue.flush() } != null }

    /** Where the queue stands now: [awaitWritten] with it waits for everything queued so far. */
    fun mark(): Long = queue.mark()

    /**
     * Waits until the operations queued up to [mark] were sent or given up, or [timeoutMillis]
     * passed; not at all while the breaker is open (the storage is failing: waiting would only delay).
     */
    suspend fun awaitWritten(mark: Long, timeoutMillis: Long) {
        if (breaker.isOpen) return
        queue.awaitWritten(mark, timeoutMillis)
    }

    /** Stops accepting operations; the writer finishes the queue, then stops. */
    fun close() = writer.close()

    fun stats(): StorageStats = counters.snapshot(queue.size, breaker.isOpen)
}
