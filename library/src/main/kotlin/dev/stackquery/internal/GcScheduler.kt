package dev.stackquery.internal

import dev.stackquery.QueryClock
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull
import java.util.PriorityQueue

/**
 * One garbage-collection timer for a whole client: a deadline queue drained by a single coroutine.
 *
 * Scheduling a query costs one small queue entry, never a coroutine or a `Job`. Cancelling is
 * lazy: [cancel] clears the query's [Query.gcDeadline], and an entry whose deadline no longer
 * matches is dropped when it reaches the head. When a deadline passes, [onExpired] is called with
 * the query and the deadline; it must check both again (identity and inactivity) before removing,
 * so a stale timer never removes a newer query or an active one.
 *
 * The drain loop sleeps with coroutine `delay` in the client's scope (virtual time in tests) and is
 * woken early when a deadline earlier than the current head is scheduled. It starts with the first
 * schedule and ends with the scope.
 */
internal class GcScheduler(
    private val scope: CoroutineScope,
    private val clock: QueryClock,
    private val onExpired: (Query<*>, Long) -> Unit,
) {
    private class Entry(val query: Query<*>, val deadline: Long)

    private val lock = Any()
    private val queue = PriorityQueue<Entry>(64) { a, b -> a.deadline.compareTo(b.deadline) }
    private val wake = Channel<Unit>(Channel.CONFLATED)
    private var loop: Job? = null

    /** Schedules [query] for removal [gcTimeMillis] from now, replacing any earlier schedule. */
    fun schedule(query: Query<*>, gcTimeMillis: Long) {
        if (gcTimeMillis == Long.MAX_VALUE) {
            cancel(query)
            return
        }
        val deadline = saturatedAdd(clock.nowMillis(), gcTimeMillis)
        synchronized(lock) {
            query.gcDeadline = deadline
            val head = queue.peek()
            queue.add(Entry(query, deadline))
            if (loop == null) {
                loop = scope.launch { drain() }
            } else if (head == null || deadline < head.deadline) {
                wake.trySend(Unit)
            }
        }
    }

    /** Cancels any schedule of [query]; its queue entry is dropped when it reaches the head. */
    fun cancel(query: Query<*>) {
        query.gcDeadline = Query.NO_DEADLINE
    }

    /** Entries in the queue, stale ones included (for tests). */
    internal val queuedEntries: Int get() = synchronized(lock) { queue.size }

    private suspend fun drain() {
        val due = ArrayList<Entry>()
        while (true) {
            val waitMillis = synchronized(lock) {
                val now = clock.nowMillis()
                while (true) {
                    val head = queue.peek() ?: break
                    if (head.query.gcDeadline != head.deadline) {
                        queue.poll()
                    } else if (head.deadline <= now) {
                        due.add(queue.poll())
                    } else {
                        break
                    }
                }
                queue.peek()?.let { it.deadline - now } ?: -1L
            }
            for (entry in due) onExpired(entry.query, entry.deadline)
            due.clear()
            if (waitMillis < 0) wake.receive() else withTimeoutOrNull(waitMillis) { wake.receive() }
        }
    }
}
