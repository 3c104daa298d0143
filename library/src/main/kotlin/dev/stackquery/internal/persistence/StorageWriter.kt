package dev.stackquery.internal.persistence

import dev.stackquery.internal.isFatal
import dev.stackquery.internal.retry.RetrySchedule
import dev.stackquery.internal.retry.retrying
import dev.stackquery.storage.BatchStorage
import dev.stackquery.storage.CodecException
import dev.stackquery.storage.PrefixDeletableStorage
import dev.stackquery.storage.StorageBackend
import dev.stackquery.storage.StorageEntry
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableJob
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull
import java.util.concurrent.atomic.AtomicInteger

/**
 * The one coroutine that sends a [WriteQueue] to a storage, in order: runs of writes go to
 * [BatchStorage.setAll] when the storage has it; deletions and prefix deletions go one by one, in
 * their place, so nothing written before a deletion outlives it and nothing written after it is
 * lost. A failed batch is retried [retries] times with backoff (skipping operations that a newer
 * one replaced meanwhile), then dropped and counted. After [close], and while a flush waits
 * ([flushing]), an operation that finds the breaker open is dropped and counted instead of
 * waiting out the cool-down. However the writer
 * ends (its queue done after close, or cancelled with the client's parent `Job`), the queue is
 * told ([WriteQueue.stopped]), so nothing is left waiting.
 */
internal class StorageWriter(
    private val storage: StorageBackend,
    private val queue: WriteQueue,
    private val caller: StorageCaller,
    private val breaker: CircuitBreaker,
    private val counters: StorageCounters,
    private val log: StorageLog,
    private val buster: String,
    retries: Int,
    coolDownMillis: Long,
    private val maxValueBytes: Int,
) {
    private val schedule = RetrySchedule.backoff(RETRY_BASE_MILLIS, coolDownMillis, retries)

    @Volatile
    private var closing = false

    /** Flushes waiting now: while there is one, an operation that meets an open breaker is dropped. */
    private val flushesWaiting = AtomicInteger()

    /** Bumped by [close] and by each flush: wakes a writer waiting for the breaker, to give up. */
    private val giveUp = MutableStateFlow(0L)

    /** Starts the writer in [scope]; its job completes once the queue is closed and drained. */
    fun start(scope: CoroutineScope, job: CompletableJob) {
        val writer = scope.launch {
            for (signal in queue.wake) {
                drain()
                if (queue.isDrained) break
            }
            job.complete()
        }
        writer.invokeOnCompletion { queue.stopped() }
    }

    fun close() {
        queue.close()
        closing = true
        giveUp.update { it + 1 }
    }

    /**
     * Runs [flush] (a wait for the queue) so that it returns promptly: meanwhile, operations that
     * meet an open breaker are dropped and counted instead of waiting out its cool-down.
     */
    suspend fun <R> flushing(flush: suspend () -> R): R {
        flushesWaiting.incrementAndGet()
        giveUp.update { it + 1 }
        try {
            return flush()
        } finally {
            flushesWaiting.decrementAndGet()
        }
    }

    private suspend fun drain() {
        while (true) {
            val batch = queue.take()
            if (batch.isEmpty()) return
            try {
                perform(batch)
            } catch (e: CancellationException) {
                counters.writesDropped.add(batch.size.toLong()) // cancelled with the client's parent Job
                throw e
            } catch (e: Throwable) {
                if (e.isFatal()) throw e
                counters.writesDropped.add(batch.size.toLong()) // unexpected: never ends the writer
                log.warn("write", e)
            } finally {
                queue.done(batch)
            }
        }
    }

    private suspend fun perform(batch: List<WriteOp>) {
        val entries = HashMap<WriteOp, StorageEntry>()
        for (op in batch) {
            if (op is WriteOp.Put<*>) {
                try {
                    entries[op] = op.entry(buster).also { checkSize(it) }
                } catch (e: CodecException) {
                    counters.writesDropped.increment()
                    log.warn("encode ${op.storageKey}", e)
                }
            }
        }
        var ops = batch.filter { it !is WriteOp.Put<*> || it in entries }
        retrying(
            schedule,
            failure = { if (it is StorageFailure && !it.permanent) it else throw it },
            onRetry = { _, _ -> },
            giveUp = { _, _ -> counters.writesDropped.add(ops.size.toLong()) },
        ) { attempt ->
            if (attempt > 0) ops = queue.notSuperseded(ops)
            if (ops.isEmpty()) return
            if (!awaitBreaker()) {
                counters.writesDropped.add(ops.size.toLong()) // closing or flushing, and the storage is down
                return
            }
            send(ops, entries)
        }
    }

    private suspend fun send(ops: List<WriteOp>, entries: Map<WriteOp, StorageEntry>) {
        when (val first = ops.first()) {
            is WriteOp.Delete -> unlessRejected {
                caller.call("delete ${first.storageKey}") { storage.delete(first.storageKey) }
                counters.deletes.increment()
            }
            is WriteOp.DeletePrefix -> unlessRejected {
                caller.call("delete prefix ${first.prefix}") {
                    (storage as PrefixDeletableStorage).deleteByPrefix(first.prefix)
                }
                counters.deletes.increment()
            }
            is WriteOp.Put<*> -> {
                if (ops.size > 1 && storage is BatchStorage) {
                    val batch = ops.map { entries.getValue(it) }
                    // A key the storage rejects fails the whole batch: then each entry goes alone.
                    unlessRejected {
                        caller.call("write ${batch.size} entries") { storage.setAll(batch) }
                        counters.writes.add(batch.size.toLong())
                        return
                    }
                }
                for (op in ops) {
                    val entry = entries.getValue(op)
                    val written = unlessRejected {
                        caller.call("write ${entry.key}") { storage.set(entry.key, entry.value, entry.ttl) }
                        counters.writes.increment()
                    }
                    if (!written) counters.writesDropped.increment()
                }
            }
        }
    }

    /** @throws CodecException when [entry]'s value is over [maxValueBytes] in UTF-8. */
    private fun checkSize(entry: StorageEntry) {
        val value = entry.value
        // At least one byte and at most three per UTF-16 char: count only when it could be over.
        if (value.length.toLong() * 3 <= maxValueBytes) return
        var bytes = 0L
        for (c in value) {
            bytes += when {
                c.code < 0x80 -> 1
                c.code < 0x800 -> 2
                c.isSurrogate() -> 2 // half of a 4-byte pair (an unpaired one was escaped)
                else -> 3
            }
            if (bytes > maxValueBytes) {
                throw CodecException("the stored entry is over maxValueBytes ($maxValueBytes bytes of UTF-8)")
            }
        }
    }

    /** Runs [send]; false when the storage rejected a key (a permanent failure, not retried). */
    private inline fun unlessRejected(send: () -> Unit): Boolean = try {
        send()
        true
    } catch (e: StorageFailure) {
        if (!e.permanent) throw e
        false
    }

    /**
     * Waits until the breaker lets a call through (true), or gives up (false) once the client is
     * closed or while a flush waits.
     */
    private suspend fun awaitBreaker(): Boolean {
        while (!breaker.tryAcquire()) {
            val seen = giveUp.value
            if (closing || flushesWaiting.get() > 0) return false
            withTimeoutOrNull(breaker.millisUntilProbe().coerceAtLeast(MIN_BREAKER_POLL_MILLIS)) {
                giveUp.first { it != seen }
            }
        }
        return true
    }

    private companion object {
        const val RETRY_BASE_MILLIS = 100L
        const val MIN_BREAKER_POLL_MILLIS = 10L
    }
}
