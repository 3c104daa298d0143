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
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CompletableJob
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull

/**
 * The one coroutine that sends a [WriteQueue] to a storage, in order: runs of writes go to
 * [BatchStorage.setAll] when the storage has it; deletions and prefix deletions go one by one, in
 * their place, so nothing written before a deletion outlives it and nothing written after it is
 * lost. A failed batch is retried [retries] times with backoff (skipping operations that a newer
 * one replaced meanwhile), then dropped and counted. After [close], an operation that finds the
 * breaker open is dropped and counted instead of waiting out the cool-down. However the writer
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
) {
    private val schedule = RetrySchedule.backoff(RETRY_BASE_MILLIS, coolDownMillis, retries)

    /** Completed by [close]: wakes a writer waiting for the breaker, which then gives up. */
    private val closing = CompletableDeferred<Unit>()

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
        closing.complete(Unit)
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
                    entries[op] = op.entry(buster)
                } catch (e: CodecException) {
                    counters.writesDropped.increment()
                    log.warn("encode ${op.storageKey}", e)
                }
            }
        }
        var ops = batch.filter { it !is WriteOp.Put<*> || it in entries }
        retrying(
            schedule,
            failure = { if (it is StorageFailure) it else throw it },
            onRetry = { _, _ -> },
            giveUp = { _, _ -> counters.writesDropped.add(ops.size.toLong()) },
        ) { attempt ->
            if (attempt > 0) ops = queue.notSuperseded(ops)
            if (ops.isEmpty()) return
            if (!awaitBreaker()) {
                counters.writesDropped.add(ops.size.toLong()) // closed, and the storage is down
                return
            }
            send(ops, entries)
        }
    }

    private suspend fun send(ops: List<WriteOp>, entries: Map<WriteOp, StorageEntry>) {
        when (val first = ops.first()) {
            is WriteOp.Delete -> {
                caller.call("delete ${first.storageKey}") { storage.delete(first.storageKey) }
                counters.deletes.increment()
            }
            is WriteOp.DeletePrefix -> {
                caller.call("delete prefix ${first.prefix}") {
                    (storage as PrefixDeletableStorage).deleteByPrefix(first.prefix)
                }
                counters.deletes.increment()
            }
            is WriteOp.Put<*> -> {
                if (ops.size > 1 && storage is BatchStorage) {
                    val batch = ops.map { entries.getValue(it) }
                    caller.call("write ${batch.size} entries") { storage.setAll(batch) }
                    counters.writes.add(batch.size.toLong())
                } else {
                    for (op in ops) {
                        val entry = entries.getValue(op)
                        caller.call("write ${entry.key}") { storage.set(entry.key, entry.value, entry.ttl) }
                        counters.writes.increment()
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

    private companion object {
        const val RETRY_BASE_MILLIS = 100L
        const val MIN_BREAKER_POLL_MILLIS = 10L
    }
}
