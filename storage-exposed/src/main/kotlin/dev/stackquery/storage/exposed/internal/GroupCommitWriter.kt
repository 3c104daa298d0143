package dev.stackquery.storage.exposed.internal

import dev.stackquery.storage.StorageUnavailableException
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull
import kotlin.time.Duration

/**
 * The single writer of one storage: every write is queued here, and one coroutine commits what
 * has queued up, up to [MAX_OPS] operations or [MAX_ROWS] rows, in one transaction ([commit]).
 * An idle writer commits a lone write at once; under load, concurrent writers share transactions,
 * which is what makes SQLite fast (one commit for many writes) and never lets two writes of one
 * storage contend for a lock.
 *
 * When a shared transaction fails for a reason other than an unreachable database, its operations
 * are retried one transaction each, so one bad write fails only its own caller.
 */
internal class GroupCommitWriter(
    scope: CoroutineScope,
    private val commit: suspend (List<WriteOp>) -> LongArray,
) {
    private val queue = Channel<WriteOp>(Channel.UNLIMITED) { op -> op.result.completeExceptionally(closed()) }

    private val job: Job = scope.launch { drain() }.apply {
        invokeOnCompletion { queue.cancel() }
    }

    /**
     * Queues [op] and waits until it is committed; returns its result or throws its failure.
     * A caller cancelled while [op] is still queued withdraws it.
     */
    suspend fun submit(op: WriteOp): Long {
        if (queue.trySend(op).isFailure) throw closed()
        try {
            return op.result.await()
        } catch (e: CancellationException) {
            op.result.cancel()
            throw e
        }
    }

    /**
     * Stops accepting writes, waits up to [timeout] for the queued ones to be committed, then stops;
     * writes still queued after that fail with [StorageUnavailableException]. Blocks the caller.
     */
    fun close(timeout: Duration) {
        queue.close()
        runBlocking { withTimeoutOrNull(timeout) { job.join() } }
        job.cancel()
        queue.cancel()
    }

    private suspend fun drain() {
        val batch = ArrayList<WriteOp>()
        for (first in queue) {
            batch += first
            var rows = first.weight
            while (batch.size < MAX_OPS && rows < MAX_ROWS) {
                val next = queue.tryReceive().getOrNull() ?: break
                batch += next
                rows += next.weight
            }
            batch.removeAll { it.result.isCompleted } // withdrawn by their cancelled callers
            try {
                if (batch.isNotEmpty()) commitBatch(batch)
            } finally {
                for (op in batch) op.result.completeExceptionally(closed()) // only if cancelled mid-commit
                batch.clear()
            }
        }
    }

    @Suppress("TooGenericExceptionCaught") // every failure is handed to the callers
    private suspend fun commitBatch(batch: List<WriteOp>) {
        try {
            val results = commit(batch)
            batch.forEachIndexed { i, op -> op.result.complete(results[i]) }
        } catch (e: CancellationException) {
            throw e
        } catch (e: Exception) {
            if (batch.size == 1 || isUnavailable(e)) {
                for (op in batch) op.result.completeExceptionally(e)
            } else {
                for (op in batch) {
                    try {
                        op.result.complete(commit(listOf(op))[0])
                    } catch (cancelled: CancellationException) {
                        throw cancelled
                    } catch (failure: Exception) {
                        op.result.completeExceptionally(failure)
                    }
                }
            }
        }
    }

    private fun closed() = StorageUnavailableException("ExposedStorage is closed")

    internal companion object {
        /** The most operations committed in one transaction. */
        const val MAX_OPS: Int = 512

        /** Once this many rows are gathered, no further operation joins the transaction. */
        const val MAX_ROWS: Int = 4096
    }
}
