package dev.stackquery.internal.common

import dev.stackquery.Subscription
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicBoolean

/**
 * A thread-safe boolean whose changes are told to listeners: the state behind the in-memory
 * focus and online managers and the desktop ones, kept once. [set] tells every listener
 * registered at that time, on the calling thread, only when the value changes; a listener that
 * throws does not stop the others (its failure goes to [onListenerFailure]).
 */
@InternalStackQueryApi
public class ObservableFlag(
    initial: Boolean,
    private val onListenerFailure: (Throwable) -> Unit = { throw it },
) {
    private val flag = AtomicBoolean(initial)
    private val listeners = CopyOnWriteArrayList<(Boolean) -> Unit>()

    /** The current value. */
    public val value: Boolean get() = flag.get()

    /** Sets the value; when it changed, tells the listeners (with the new value) and returns true. */
    public fun set(value: Boolean): Boolean {
        if (flag.getAndSet(value) == value) return false
        var failure: Throwable? = null
        for (listener in listeners) {
            try {
                listener(value)
            } catch (e: Throwable) {
                if (e is VirtualMachineError) throw e
                if (failure == null) failure = e else failure.addSuppressed(e)
            }
        }
        failure?.let(onListenerFailure)
        return true
    }

    /** Registers [listener] until the returned subscription ends. */
    public fun addListener(listener: (Boolean) -> Unit): Subscription {
        val entry: (Boolean) -> Unit = { listener(it) } // a distinct instance: the same listener may be added twice
        listeners += entry
        return subscriptionOf { listeners.remove(entry) }
    }
}
