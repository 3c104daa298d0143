package dev.stackquery

/**
 * A listener's registration with a [QueryObserver]. While subscribed, it counts as a subscriber
 * of the observer (keeping its query active). [unsubscribe] and [close] are the same, idempotent,
 * and thread-safe; after either returns, the listener receives no new states (a call already
 * running finishes).
 */
public interface Subscription : AutoCloseable {
    /** True until [unsubscribe] or [close] is called, or the client is closed. */
    public val isSubscribed: Boolean

    /** Ends the subscription. Calling it again does nothing. */
    public fun unsubscribe()

    /** Same as [unsubscribe], for try-with-resources and `use`. */
    override fun close() {
        unsubscribe()
    }
}
