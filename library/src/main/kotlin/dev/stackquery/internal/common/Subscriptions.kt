package dev.stackquery.internal.common

import dev.stackquery.Subscription
import java.util.concurrent.atomic.AtomicBoolean

/** A [Subscription] that runs [onUnsubscribe] once, on the first `unsubscribe()` (or `close()`). */
@InternalStackQueryApi
public fun subscriptionOf(onUnsubscribe: () -> Unit): Subscription = object : Subscription {
    private val subscribed = AtomicBoolean(true)
    override val isSubscribed: Boolean get() = subscribed.get()

    override fun unsubscribe() {
        if (subscribed.compareAndSet(true, false)) onUnsubscribe()
    }
}
