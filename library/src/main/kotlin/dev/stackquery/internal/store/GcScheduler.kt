@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.internal.store

import dev.stackquery.QueryClock
import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.saturatedAdd
import dev.stackquery.internal.query.Query
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull

/**
 * One garbage-collection timer for a whole client: a binary min-heap of queries ordered by
 * deadline, drained by a single coroutine.
 *
 * The heap is intrusive: a query is its own heap entry ([Query.gcDeadline], [Query.gcHeapIndex]),
 * so scheduling allocates nothing, rescheduling moves the entry, and [cancel] removes it at once
 * (O(log n) each). The heap never holds more than the queries currently scheduled. When a
 * deadline passes, [onExpired] is called with the query and the deadline; it must check both
 * again (identity and inactivity) before removing, so a timer never removes a newer or active query.
 *
 * The drain loop sleeps with coroutine `delay` in the client's scope (virtual time in tests) and is
 * woken early when a deadline earlier than the current head is scheduled. It runs from [start]
 * until the scope is cancelled.
 */
internal class GcScheduler(
    private val clock: QueryClock,
    private val onExpired: (Query<*>, Long) -> Unit,
) {
    private val lock = Any()
    private var heap = arrayOfNulls<Query<*>>(64) // guarded by lock
    private var size = 0 // guarded by lock
    private val wake = Channel<Unit>(Channel.CONFLATED)

    /** Starts the drain loop in [scope]. */
    fun start(scope: CoroutineScope) {
        scope.launch { drain() }
    }

    /** Schedules [query] for removal [gcTimeMillis] from now, replacing any earlier schedule. */
    fun schedule(query: Query<*>, gcTimeMillis: Long) {
        if (gcTimeMillis == Long.MAX_VALUE) {
            cancel(query)
            return
        }
        val deadline = saturatedAdd(clock.nowMillis(), gcTimeMillis)
        val earliest = synchronized(lock) {
            query.gcDeadline = deadline
            val index = query.gcHeapIndex
            if (index < 0) {
                if (size == heap.size) heap = heap.copyOf(size * 2)
                heap[size] = query
                query.gcHeapIndex = size
                siftUp(size++)
            } else {
                siftDown(siftUp(index))
            }
            heap[0] === query
        }
        if (earliest) wake.trySend(Unit)
    }

    /** Cancels any schedule of [query]. */
    fun cancel(query: Query<*>) {
        synchronized(lock) {
            query.gcDeadline = Query.NO_DEADLINE
            val index = query.gcHeapIndex
            if (index >= 0) removeAt(index)
        }
    }

    /** Queries currently scheduled. */
    val scheduledCount: Int get() = synchronized(lock) { size }

    private suspend fun drain() {
        val due = ArrayList<Query<*>>()
        val deadlines = ArrayList<Long>()
        while (true) {
            val waitMillis = synchronized(lock) {
                val now = clock.nowMillis()
                while (size > 0 && heap[0]!!.gcDeadline <= now) {
                    val head = heap[0]!!
                    due += head
                    deadlines += head.gcDeadline
                    removeAt(0)
                }
                if (size == 0) -1L else heap[0]!!.gcDeadline - now
            }
            for (i in due.indices) onExpired(due[i], deadlines[i])
            due.clear()
            deadlines.clear()
            if (waitMillis < 0) wake.receive() else withTimeoutOrNull(waitMillis) { wake.receive() }
        }
    }

    private fun removeAt(index: Int) {
        val removed = heap[index]!!
        removed.gcHeapIndex = -1
        val last = heap[--size]!!
        heap[size] = null
        if (index < size) {
            heap[index] = last
            last.gcHeapIndex = index
            siftDown(siftUp(index))
        }
    }

    private fun siftUp(start: Int): Int {
        var index = start
        val query = heap[index]!!
        while (index > 0) {
            val parent = (index - 1) ushr 1
            val above = heap[parent]!!
            if (above.gcDeadline <= query.gcDeadline) break
            place(above, index)
            index = parent
        }
        place(query, index)
        return index
    }

    private fun siftDown(start: Int) {
        var index = start
        val query = heap[index]!!
        while (true) {
            var child = 2 * index + 1
            if (child >= size) break
            if (child + 1 < size && heap[child + 1]!!.gcDeadline < heap[child]!!.gcDeadline) child++
            val below = heap[child]!!
            if (query.gcDeadline <= below.gcDeadline) break
            place(below, index)
            index = child
        }
        place(query, index)
    }

    private fun place(query: Query<*>, index: Int) {
        heap[index] = query
        query.gcHeapIndex = index
    }
}
