package dev.stackquery.internal.persistence

import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.withTimeoutOrNull

/**
 * The ordered, coalescing queue between a client and its L2 writer.
 *
 * Each operation replaces the older one on the same key (latest wins) and moves to the back, so
 * the queue holds at most one operation per key, in the order they last changed. A prefix
 * deletion drops the queued writes it covers. At most [maxPending] operations wait (those being
 * sent included); past that the oldest *write* is dropped and counted by [onDropped] (a deletion
 * only when nothing but deletions waits: dropping one would bring a removed entry back). Reads see
 * the queue ([latest]), so they never return what the client has overwritten or deleted but not
 * yet sent. Thread-safe: one lock guards the queue; [completed] and the wake-up channel are
 * lock-free.
 */
internal class WriteQueue(
    private val maxPending: Int,
    private val batchSize: Int,
    private val onDropped: (count: Int, overflow: Boolean) -> Unit,
) {
    private val lock = Any()
    private val pending = LinkedHashMap<Any, WriteOp>() // guarded by lock; insertion order = write order
    private val pendingPrefixes = HashMap<String, WriteOp.DeletePrefix>() // guarded by lock; those in pending
    private var inProgress: List<WriteOp> = emptyList() // guarded by lock; the batch being sent
    private var enqueued = 0L // guarded by lock; sequence of the latest operation queued
    private var closed = false // guarded by lock

    /** Sequence of the latest operation the writer finished with; [Long.MAX_VALUE] once it stopped. */
    private val completed = MutableStateFlow(0L)

    /** Signalled whenever an operation is queued or the queue closes. */
    val wake = Channel<Unit>(Channel.CONFLATED)

    /** Queues [op]; dropped (and counted) once the queue is closed. */
    fun enqueue(op: WriteOp) {
        synchronized(lock) { enqueueLocked(op) }
        wake.trySend(Unit)
    }

    /** Queues [ops] in one step: nothing can be queued between them. */
    fun enqueueAll(ops: List<WriteOp>) {
        synchronized(lock) { for (op in ops) enqueueLocked(op) }
        wake.trySend(Unit)
    }

    /**
     * Queues [op] unless an operation queued or sent since [since] (a [mark]) may have replaced
     * the entry under [storageKey]: one on that key still waiting or being sent, or any sent since.
     */
    fun enqueueUnlessChangedSince(storageKey: String, since: Long, op: WriteOp) {
        synchronized(lock) {
            if (latestLocked(storageKey) != null || completed.value > since) return
            enqueueLocked(op)
        }
        wake.trySend(Unit)
    }

    /**
     * The newest queued or in-progress operation that decides what [storageKey] reads as (a
     * write, a deletion or a prefix deletion), with the [mark] it was looked up at.
     */
    fun latest(storageKey: String): Pair<WriteOp?, Long> = synchronized(lock) { latestLocked(storageKey) to enqueued }

    private fun latestLocked(storageKey: String): WriteOp? {
        pending[storageKey]?.let { return it }
        pendingPrefixDeletion(storageKey)?.let { return it }
        return inProgress.lastOrNull {
            (it is WriteOp.Put<*> && it.storageKey == storageKey) ||
                (it is WriteOp.Delete && it.storageKey == storageKey) ||
                (it is WriteOp.DeletePrefix && it.covers(storageKey))
        }
    }

    /**
     * Under the lock: a queued prefix deletion covering [storageKey]. Every queued prefix ends
     * with `[` or `,`, so only those substrings of [storageKey] can be one: a few map lookups,
     * however long the queue (a scan here made every read cost O(queued writes)).
     */
    private fun pendingPrefixDeletion(storageKey: String): WriteOp.DeletePrefix? {
        if (pendingPrefixes.isEmpty()) return null
        return StorageKeys.coveringPrefixes(storageKey) { pendingPrefixes[it] }
    }

    private fun enqueueLocked(op: WriteOp) {
        if (closed) {
            onDropped(1, false)
            return
        }
        if (op is WriteOp.DeletePrefix) pending.entries.removeIf { (k, _) -> k is String && op.covers(k) }
        forget(pending.remove(op.queueKey))
        op.seq = ++enqueued
        pending[op.queueKey] = op
        if (op is WriteOp.DeletePrefix) pendingPrefixes[op.prefix] = op
        if (pending.size + inProgress.size > maxPending && pending.size > 1) {
            dropOldestLocked()
            onDropped(1, true)
        }
    }

    private fun forget(op: WriteOp?) {
        if (op is WriteOp.DeletePrefix) pendingPrefixes.remove(op.prefix, op)
    }

    /** Drops the oldest waiting write (else the oldest operation); never the newest one, which a flush may wait for. */
    private fun dropOldestLocked() {
        val iterator = pending.values.iterator()
        for (i in 0 until pending.size - 1) {
            if (iterator.next() is WriteOp.Put<*>) {
                iterator.remove()
                return
            }
        }
        val eldest = pending.values.iterator()
        forget(eldest.next())
        eldest.remove()
    }

    /** Takes the next run of writes (up to the batch size), or one deletion; it is in progress until [done]. */
    fun take(): List<WriteOp> = synchronized(lock) {
        val batch = ArrayList<WriteOp>()
        val iterator = pending.values.iterator()
        while (iterator.hasNext() && batch.size < batchSize) {
            val op = iterator.next()
            if (op !is WriteOp.Put<*> && batch.isNotEmpty()) break
            batch += op
            iterator.remove()
            forget(op)
            if (op !is WriteOp.Put<*>) break
        }
        inProgress = batch
        batch
    }

    /** The writer finished with [batch] (written or given up). */
    fun done(batch: List<WriteOp>) {
        synchronized(lock) { inProgress = emptyList() }
        completed.value = batch.last().seq
    }

    /** Of [ops], those no newer queued operation replaces (retrying the others would be wasted or wrong). */
    fun notSuperseded(ops: List<WriteOp>): List<WriteOp> = synchronized(lock) {
        ops.filter { op ->
            when (op) {
                is WriteOp.Put<*> -> !pending.containsKey(op.storageKey) && pendingPrefixDeletion(op.storageKey) == null
                is WriteOp.Delete -> !pending.containsKey(op.storageKey)
                is WriteOp.DeletePrefix -> true
            }
        }
    }

    /** Where the queue stands now: [awaitWritten] or [flush] with it wait for everything queued so far. */
    fun mark(): Long = synchronized(lock) { enqueued }

    /** Waits until every operation queued before this call has been written or given up. */
    suspend fun flush() {
        val target = mark()
        completed.first { it >= target }
    }

    /** Waits until the operations queued up to [mark] were finished with, at most [timeoutMillis]. */
    suspend fun awaitWritten(mark: Long, timeoutMillis: Long) {
        withTimeoutOrNull(timeoutMillis) { completed.first { it >= mark } }
    }

    /** Operations waiting or being sent. */
    val size: Int get() = synchronized(lock) { pending.size + inProgress.size }

    /** Whether the queue is closed and nothing waits: the writer may stop. */
    val isDrained: Boolean get() = synchronized(lock) { closed && pending.isEmpty() }

    /** Refuses new operations from now on; what waits is still written. */
    fun close() {
        synchronized(lock) { closed = true }
        wake.trySend(Unit)
    }

    /** The writer stopped: refuses new operations, drops (and counts) what waits, releases every waiter. */
    fun stopped() {
        val lost = synchronized(lock) {
            closed = true
            pending.size.also {
                pending.clear()
                pendingPrefixes.clear()
            }
        }
        if (lost > 0) onDropped(lost, false)
        completed.value = Long.MAX_VALUE
    }
}
