package dev.stackquery.internal

import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryKey
import dev.stackquery.storage.BatchStorage
import dev.stackquery.storage.CodecException
import dev.stackquery.storage.PrefixDeletableStorage
import dev.stackquery.storage.QueryCodec
import dev.stackquery.storage.StorageBackend
import dev.stackquery.storage.StorageEntry
import dev.stackquery.storage.StorageStats
import dev.stackquery.storage.StorageUnavailableException
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineExceptionHandler
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.delay
import kotlinx.coroutines.isActive
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull
import kotlinx.coroutines.Job
import org.slf4j.LoggerFactory
import java.util.concurrent.atomic.LongAdder
import kotlin.coroutines.CoroutineContext
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds

/**
 * A client's L2 tier: hydration reads, the background writer, the circuit breaker and the
 * counters behind [StorageStats].
 *
 * Every storage call is bounded by `storageTimeout`: it runs in its own coroutine and the caller
 * stops waiting after the timeout, whatever the storage does. A failure or timeout is counted,
 * logged (at most one line per [LOG_INTERVAL_MILLIS] of clock time, with the number suppressed)
 * and reported to the breaker; it never reaches a query.
 *
 * Writes are queued, not performed by the thread that causes them: each is the immutable snapshot
 * of the moment it happened, keyed by storage key, so a newer operation on a key replaces the
 * older one (latest wins) and moves to the back of the queue. One writer coroutine takes the queue
 * in order: runs of writes go to [BatchStorage.setAll] when the storage has it; deletions and
 * prefix deletions go one by one, in their place, so nothing written before a deletion outlives
 * it and nothing written after it is lost. A failed batch is retried `storageWriteRetries` times
 * (skipping writes that a newer operation replaced meanwhile), then dropped and counted. At most
 * `maxPendingWrites` operations wait; past that the oldest write is dropped and counted (a
 * deletion only when nothing but deletions waits: dropping one would bring a removed entry back).
 * After [close], an operation that finds the breaker open is dropped and counted instead of
 * waiting out the cool-down, so the writer ends soon after the client closes. If the writer is
 * cancelled (the client's parent `Job` was), what it had not written is dropped and counted, and
 * [flush] returns.
 */
internal class Persistence(
    private val storage: StorageBackend,
    private val config: QueryClientConfig,
    context: CoroutineContext,
) {
    private val clock = config.clock
    private val namespace = config.storageNamespace
    private val buster = config.buster
    private val timeoutMillis = config.storageTimeoutMillis
    private val breaker = CircuitBreaker(config.storageFailureThreshold, config.storageCoolDownMillis, clock)
    private val log = LoggerFactory.getLogger(Persistence::class.java)

    private val hits = LongAdder()
    private val staleHits = LongAdder()
    private val misses = LongAdder()
    private val corrupt = LongAdder()
    private val writes = LongAdder()
    private val deletes = LongAdder()
    private val errors = LongAdder()
    private val timeouts = LongAdder()
    private val skipped = LongAdder()
    private val writesDropped = LongAdder()
    private val reads = LongAdder()
    private val readNanos = LongAdder()

    private val lock = Any()
    private val pending = LinkedHashMap<Any, Op>() // guarded by lock; insertion order = write order
    private val pendingPrefixes = HashMap<String, DeletePrefix>() // guarded by lock; the DeletePrefix ops in pending
    private var inProgress: List<Op> = emptyList() // guarded by lock; the batch the writer is sending
    private var enqueued = 0L // guarded by lock; sequence of the latest operation queued
    private var closed = false // guarded by lock
    private var lastLogAt = Long.MIN_VALUE // guarded by lock
    private var suppressedLogs = 0 // guarded by lock

    /** Sequence of the latest operation the writer finished with (written, or given up); [Long.MAX_VALUE] once it has stopped. */
    private val completed = MutableStateFlow(0L)
    private val wake = Channel<Unit>(Channel.CONFLATED)

    /** Completed by [close]: wakes a writer waiting for the breaker, which then gives up. */
    private val closing = CompletableDeferred<Unit>()

    /** The writer's job: a sibling of the client's scope, so `close()` can let it finish the queue. */
    private val writerJob = SupervisorJob(context[Job])
    private val scope = CoroutineScope(
        context + writerJob + CoroutineName("StackQuery storage") +
            CoroutineExceptionHandler { _, e -> report("background storage task", e) },
    )

    init {
        val writer = scope.launch {
            for (signal in wake) {
                drain()
                if (synchronized(lock) { closed && pending.isEmpty() }) break
            }
            writerJob.complete()
        }
        // However the writer ends (its queue done after close, cancelled with the parent Job, or
        // killed by an Error): nothing is left waiting, new operations are refused, every flush() returns.
        writer.invokeOnCompletion {
            val lost = synchronized(lock) {
                closed = true
                pending.size.also {
                    pending.clear()
                    pendingPrefixes.clear()
                }
            }
            if (lost > 0) writesDropped.add(lost.toLong())
            completed.value = Long.MAX_VALUE
        }
    }

    fun storageKey(key: QueryKey): String = namespace + key.toString()

    // ---- reads ----

    /**
     * The entry persisted for [key], or `null` (missing, undecodable, another version or buster,
     * breaker open, failed or timed out: all counted). Returns within `storageTimeout`; throws
     * only the caller's own cancellation.
     */
    suspend fun <T> read(key: QueryKey, codec: QueryCodec<T>): Persisted<T>? {
        val storageKey = storageKey(key)
        var since = 0L
        val local = synchronized(lock) {
            since = enqueued
            latestOp(storageKey)
        }
        when (local) {
            is Put<*> -> {
                @Suppress("UNCHECKED_CAST")
                return Persisted(local.data as T, local.dataUpdatedAt, local.invalidated)
            }
            null -> {}
            else -> {
                misses.increment()
                return null
            }
        }
        if (!breaker.tryAcquire()) {
            skipped.increment()
            return null
        }
        val started = System.nanoTime()
        val text = try {
            call("read $storageKey") { storage.get(storageKey) }
        } catch (e: StorageFailure) {
            return null
        }
        reads.increment()
        readNanos.add(System.nanoTime() - started)
        if (text == null) {
            misses.increment()
            return null
        }
        val persisted = try {
            Envelope.decode(text, buster, codec)
        } catch (e: CodecException) {
            report("decode $storageKey", e)
            null
        }
        if (persisted == null) {
            corrupt.increment()
            deleteUnlessRewritten(storageKey, since)
        }
        return persisted
    }

    /**
     * Queues the deletion of the unreadable entry under [storageKey], read when [since] was the
     * latest sequence queued, unless an operation queued since then may have replaced the entry:
     * one on that key still waiting or being sent (it replaces the entry anyway, and a deletion
     * queued after it would undo a write), or any operation sent since (the read may predate it).
     */
    private fun deleteUnlessRewritten(storageKey: String, since: Long) {
        synchronized(lock) {
            if (latestOp(storageKey) != null || completed.value > since) return
            enqueueLocked(storageKey, Delete(storageKey))
        }
        wake.trySend(Unit)
    }

    /**
     * Under the lock: the newest queued or in-progress operation that decides what [storageKey]
     * reads as (a write, a deletion or a prefix deletion), so a read never returns what this
     * client has overwritten or deleted but not yet sent; `null` when there is none.
     */
    private fun latestOp(storageKey: String): Op? {
        pending[storageKey]?.let { return it }
        pendingPrefixDeletion(storageKey)?.let { return it }
        return inProgress.lastOrNull {
            (it is Put<*> && it.storageKey == storageKey) || (it is Delete && it.storageKey == storageKey) ||
                (it is DeletePrefix && storageKey.startsWith(it.prefix))
        }
    }

    /**
     * Under the lock: a queued prefix deletion covering [storageKey], or `null`. Every queued
     * prefix ends with `[` or `,` (see [deletePrefix]), so only the substrings of [storageKey] that
     * end there can be one: a few map lookups, however long the queue (a scan of the queue here
     * made every read cost O(queued writes)).
     */
    private fun pendingPrefixDeletion(storageKey: String): DeletePrefix? {
        if (pendingPrefixes.isEmpty()) return null
        for (i in storageKey.indices) {
            val c = storageKey[i]
            if (c == '[' || c == ',') pendingPrefixes[storageKey.substring(0, i + 1)]?.let { return it }
        }
        return null
    }

    /** Under the lock: removes [op], just taken out of [pending], from [pendingPrefixes]. */
    private fun forgetPending(op: Op?) {
        if (op is DeletePrefix) pendingPrefixes.remove(op.prefix, op)
    }

    /** Counts a hydration that found data: fresh ([stale] false) or stale. */
    fun countHit(stale: Boolean) = (if (stale) staleHits else hits).increment()

    // ---- writes ----

    /** Queues the persistence of [data] as of now (latest wins per key). */
    fun <T> write(key: QueryKey, data: T, dataUpdatedAt: Long, invalidated: Boolean, codec: QueryCodec<T>, ttl: Duration?) {
        val storageKey = storageKey(key)
        enqueue(storageKey, Put(storageKey, data, dataUpdatedAt, invalidated, codec, ttl))
    }

    /** Queues the deletion of [key]'s entry, replacing a write of it still waiting. */
    fun delete(key: QueryKey) {
        val storageKey = storageKey(key)
        enqueue(storageKey, Delete(storageKey))
    }

    /**
     * Queues the deletion of every entry under [prefix] (all of this client's entries for
     * [QueryKey.EMPTY]), replacing the waiting writes it covers. Without [PrefixDeletableStorage],
     * nothing is queued: the caller deletes the keys it holds one by one.
     */
    fun deletePrefix(prefix: QueryKey): Boolean {
        if (storage !is PrefixDeletableStorage) return false
        val text = prefix.toString()
        // `["user"` matches `["user"]` and `["user",…]` but also `["user",42]` for prefix `["user",4`:
        // delete the exact key, then everything that continues it with `,`.
        val prefixes = if (prefix.size == 0) {
            listOf(namespace + "[")
        } else {
            listOf(namespace + text.substring(0, text.length - 1) + ",")
        }
        synchronized(lock) {
            for (p in prefixes) {
                pending.entries.removeIf { (k, _) -> k is String && k.startsWith(p) }
                enqueueLocked(PrefixKey(p), DeletePrefix(p))
            }
            // In the same step: a write of the exact key queued between the two would be replaced by it.
            if (prefix.size > 0) storageKey(prefix).let { enqueueLocked(it, Delete(it)) }
        }
        wake.trySend(Unit)
        return true
    }

    /** Waits until every operation queued before this call has been written or given up. */
    suspend fun flush() {
        val target = mark()
        completed.first { it >= target }
    }

    /** Where the queue stands now: [awaitWritten] with it waits for everything queued so far. */
    fun mark(): Long = synchronized(lock) { enqueued }

    /**
     * Waits until the operations queued up to [mark] were sent or given up, or [timeoutMillis]
     * passed; not at all while the breaker is open (the storage is failing: waiting would only delay).
     */
    suspend fun awaitWritten(mark: Long, timeoutMillis: Long) {
        if (breaker.isOpen) return
        withTimeoutOrNull(timeoutMillis) { completed.first { it >= mark } }
    }

    /** Stops accepting operations; the writer finishes the queue, then stops. */
    fun close() {
        synchronized(lock) { closed = true }
        closing.complete(Unit)
        wake.trySend(Unit)
    }

    fun stats(): StorageStats = StorageStats(
        hits = hits.sum(), staleHits = staleHits.sum(), misses = misses.sum(), corrupt = corrupt.sum(),
        writes = writes.sum(), deletes = deletes.sum(), errors = errors.sum(), timeouts = timeouts.sum(),
        skipped = skipped.sum(), writesDropped = writesDropped.sum(),
        pendingWrites = synchronized(lock) { pending.size + inProgress.size }, circuitOpen = breaker.isOpen,
        reads = reads.sum(), totalReadNanos = readNanos.sum(),
    )

    private fun enqueue(mapKey: Any, op: Op) {
        synchronized(lock) { enqueueLocked(mapKey, op) }
        wake.trySend(Unit)
    }

    private fun enqueueLocked(mapKey: Any, op: Op) {
        if (closed) {
            writesDropped.increment()
            return
        }
        forgetPending(pending.remove(mapKey))
        op.seq = ++enqueued
        pending[mapKey] = op
        if (op is DeletePrefix) pendingPrefixes[op.prefix] = op
        if (pending.size + inProgress.size > config.maxPendingWrites && pending.size > 1) {
            dropOldestLocked()
            writesDropped.increment()
            logLocked("more than ${config.maxPendingWrites} storage writes waiting: dropped the oldest", null)
        }
    }

    /**
     * Drops the oldest waiting write; the oldest operation if only deletions wait before the
     * newest. Never the newest one (the operation just queued, which [flush] may wait for).
     */
    private fun dropOldestLocked() {
        val iterator = pending.values.iterator()
        for (i in 0 until pending.size - 1) {
            if (iterator.next() is Put<*>) {
                iterator.remove()
                return
            }
        }
        val eldest = pending.values.iterator()
        forgetPending(eldest.next())
        eldest.remove()
    }

    /** Takes the next run of writes (up to the batch size), or one deletion. */
    private fun takeBatch(): List<Op> = synchronized(lock) {
        val batch = ArrayList<Op>()
        val iterator = pending.values.iterator()
        while (iterator.hasNext() && batch.size < config.writeBatchSize) {
            val op = iterator.next()
            if (op !is Put<*> && batch.isNotEmpty()) break
            batch += op
            iterator.remove()
            forgetPending(op)
            if (op !is Put<*>) break
        }
        inProgress = batch
        batch
    }

    private suspend fun drain() {
        while (true) {
            val batch = takeBatch()
            if (batch.isEmpty()) return
            try {
                perform(batch)
            } catch (e: CancellationException) {
                writesDropped.add(batch.size.toLong()) // the writer was cancelled with its parent Job
                throw e
            } catch (e: Exception) {
                report("write", e)
            } finally {
                synchronized(lock) { inProgress = emptyList() }
                completed.value = batch.last().seq
            }
        }
    }

    private suspend fun perform(batch: List<Op>) {
        var ops: List<Op> = batch
        val entries = HashMap<Op, StorageEntry>()
        for (op in ops) if (op is Put<*>) {
            try {
                entries[op] = op.entry(buster)
            } catch (e: Exception) {
                writesDropped.increment()
                report("encode ${op.storageKey}", e)
            }
        }
        ops = ops.filter { it !is Put<*> || it in entries }
        var attempt = 0
        while (ops.isNotEmpty()) {
            if (!awaitBreaker()) {
                writesDropped.add(ops.size.toLong()) // closed, and the storage is down
                return
            }
            try {
                send(ops, entries)
                return
            } catch (e: StorageFailure) {
                attempt++
                if (attempt > config.storageWriteRetries) {
                    writesDropped.add(ops.size.toLong())
                    return
                }
                delay(retryDelayMillis(attempt))
                ops = synchronized(lock) { ops.filter { !isSuperseded(it) } }
            }
        }
    }

    /** A newer operation on the same key (or a prefix deletion) is queued: retrying [op] would be wasted or wrong. */
    private fun isSuperseded(op: Op): Boolean = when (op) {
        is Put<*> -> pending.containsKey(op.storageKey) || pendingPrefixDeletion(op.storageKey) != null
        is Delete -> pending.containsKey(op.storageKey)
        is DeletePrefix -> false
    }

    private suspend fun send(ops: List<Op>, entries: Map<Op, StorageEntry>) {
        when (val first = ops.first()) {
            is Delete -> {
                call("delete ${first.storageKey}") { storage.delete(first.storageKey) }
                deletes.increment()
            }
            is DeletePrefix -> {
                call("delete prefix ${first.prefix}") { (storage as PrefixDeletableStorage).deleteByPrefix(first.prefix) }
                deletes.increment()
            }
            is Put<*> -> {
                if (ops.size > 1 && storage is BatchStorage) {
                    val batch = ops.map { entries.getValue(it) }
                    call("write ${batch.size} entries") { storage.setAll(batch) }
                    writes.add(batch.size.toLong())
                } else {
                    for (op in ops) {
                        val entry = entries.getValue(op)
                        call("write ${entry.key}") { storage.set(entry.key, entry.value, entry.ttl) }
                        writes.increment()
                    }
                }
            }
        }
    }

    /** Waits until the breaker lets a call through (true), or gives up once the client is closed (false). */
    private suspend fun awaitBreaker(): Boolean {
        while (!breaker.tryAcquire()) {
            if (closing.isCompleted) return false
            withTimeoutOrNull(breaker.millisUntilProbe().coerceAtLeast(MIN_BREAKER_POLL_MILLIS)) { closing.await() }
        }
        return true
    }

    private fun retryDelayMillis(attempt: Int): Long =
        (RETRY_BASE_MILLIS shl (attempt - 1).coerceAtMost(10)).coerceAtMost(config.storageCoolDownMillis)

    // ---- calls ----

    /**
     * Runs [op] against the storage, bounded by `storageTimeout`, reporting the outcome to the
     * breaker. A failure or timeout is counted, logged and thrown as [StorageFailure]; the
     * caller's own cancellation is rethrown as is.
     */
    private suspend fun <R> call(what: String, op: suspend () -> R): R {
        val running = scope.async(start = CoroutineStart.UNDISPATCHED) { op() }
        val outcome = try {
            withTimeoutOrNull(timeoutMillis) { Result.success(running.await()) }
        } catch (e: CancellationException) {
            running.cancel()
            if (!currentCoroutineContext().isActive) {
                breaker.release() // the caller went away: no outcome to report
                throw e
            }
            Result.failure(e) // the storage threw a CancellationException of its own
        } catch (e: Exception) {
            Result.failure(e)
        }
        if (outcome == null) {
            running.cancel()
            timeouts.increment()
            fail(what, StorageUnavailableException("storage $what timed out after ${timeoutMillis}ms"))
        }
        outcome.exceptionOrNull()?.let { fail(what, it) }
        breaker.onSuccess()
        return outcome.getOrThrow()
    }

    private fun fail(what: String, error: Throwable): Nothing {
        errors.increment()
        val opened = breaker.onFailure()
        report(what, error)
        if (opened) report("storage failing: skipped for ${config.storageCoolDown}", null)
        throw StorageFailure(error)
    }

    private fun report(what: String, error: Throwable?) = synchronized(lock) { logLocked(what, error) }

    /** Logs at most one line per [LOG_INTERVAL_MILLIS] of clock time, saying how many were suppressed. */
    private fun logLocked(what: String, error: Throwable?) {
        val now = clock.nowMillis()
        if (lastLogAt != Long.MIN_VALUE && now - lastLogAt < LOG_INTERVAL_MILLIS) {
            suppressedLogs++
            return
        }
        val suppressed = suppressedLogs
        lastLogAt = now
        suppressedLogs = 0
        val more = if (suppressed > 0) " ($suppressed similar messages suppressed)" else ""
        log.warn("StackQuery L2 storage: {}{}", if (error == null) what else "$what failed: $error", more)
    }

    /** A storage call that failed; already counted and logged. */
    private class StorageFailure(cause: Throwable) : Exception(cause.toString(), cause, false, false)

    private sealed class Op {
        var seq = 0L
    }

    private class Put<T>(
        val storageKey: String,
        val data: T,
        val dataUpdatedAt: Long,
        val invalidated: Boolean,
        val codec: QueryCodec<T>,
        val ttl: Duration?,
    ) : Op() {
        fun entry(buster: String): StorageEntry =
            StorageEntry(storageKey, Envelope.encode(codec, data, dataUpdatedAt, invalidated, buster), ttl)
    }

    private class Delete(val storageKey: String) : Op()

    private class DeletePrefix(val prefix: String) : Op()

    private data class PrefixKey(val prefix: String)

    companion object {
        const val LOG_INTERVAL_MILLIS: Long = 60_000
        private const val RETRY_BASE_MILLIS = 100L
        private const val MIN_BREAKER_POLL_MILLIS = 10L

        /** The TTL of an entry: `persistMaxAge`, else the query's gc time; `null` for never. */
        fun ttl(config: QueryClientConfig, gcTimeMillis: Long): Duration? {
            val millis = if (config.persistMaxAgeMillis >= 0) config.persistMaxAgeMillis else gcTimeMillis
            return if (millis == Long.MAX_VALUE) null else millis.milliseconds
        }
    }
}
