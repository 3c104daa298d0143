package dev.stackquery.internal.observer

import dev.stackquery.Subscription
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.Executor
import java.util.concurrent.atomic.AtomicBoolean

/**
 * One listener subscribed to an observer (a [dev.stackquery.QueryListener], or a combined
 * observer's): a queue of states drained by one task at a time
 * on [executor], so calls never overlap, keep their order, and skip a state equal to the last
 * one delivered. The first state is delivered by [start], on the subscribing thread or through
 * [executor].
 */
internal class ListenerSubscription<T>(
    private val listener: (T) -> Unit,
    private val executor: Executor,
    private val onFailure: (Throwable) -> Unit,
    private val onUnsubscribe: (ListenerSubscription<T>) -> Unit,
) : Subscription {
    private val queue = ConcurrentLinkedQueue<Published<T>>()
    private val draining = AtomicBoolean(true) // held by start() until the first delivery is done
    private val subscribed = AtomicBoolean(true)

    /** Set by [end] (the client closed): the first state is still delivered, unlike after [unsubscribe]. */
    @Volatile
    private var endedByClose = false
    private var last: Any? = NONE // touched only by the one running delivery
    private var lastVersion = -1L // likewise: states numbered at or below it are older

    override val isSubscribed: Boolean get() = subscribed.get()

    /**
     * Delivers [current]: now, on this thread, when [here]; otherwise as the first task on
     * [executor] (it is then read on that thread). States queued with a version at or below its
     * own are older and dropped.
     */
    fun start(here: Boolean, current: () -> Published<T>) {
        if (here) {
            deliverFirst(current)
            return
        }
        try {
            executor.execute { deliverFirst(current) }
        } catch (e: Exception) {
            draining.set(false)
            onFailure(e) // a rejecting executor (shut down): no state will be delivered
        }
    }

    private fun deliverFirst(current: () -> Published<T>) {
        try {
            val first = current()
            lastVersion = first.version
            deliver(first.state, evenIfEnded = endedByClose)
        } finally {
            draining.set(false)
            scheduleDrain()
        }
    }

    /** Queues [state] for delivery. */
    fun offer(state: Published<T>) {
        if (!subscribed.get()) return
        queue.offer(state)
        scheduleDrain()
    }

    /** Ends the subscription without telling the observer (the client is closing). */
    fun end() {
        endedByClose = true
        subscribed.set(false)
        queue.clear()
    }

    override fun unsubscribe() {
        if (subscribed.compareAndSet(true, false)) {
            queue.clear()
            onUnsubscribe(this)
        }
    }

    private fun scheduleDrain() {
        if (queue.isEmpty() || !draining.compareAndSet(false, true)) return
        try {
            executor.execute(::drain)
        } catch (e: Exception) {
            draining.set(false)
            onFailure(e) // a rejecting executor (shut down) loses these states, not the cache
        }
    }

    private fun drain() {
        try {
            while (true) {
                val next = queue.poll() ?: break
                if (next.version <= lastVersion) continue
                lastVersion = next.version
                deliver(next.state)
            }
        } finally {
            draining.set(false)
        }
        scheduleDrain()
    }

    private fun deliver(state: T, evenIfEnded: Boolean = false) {
        if (!(subscribed.get() || evenIfEnded) || state == last) return
        last = state
        try {
            listener(state)
        } catch (e: Throwable) {
            if (e is VirtualMachineError) throw e
            onFailure(e)
        }
    }
}

private val NONE = Any()
