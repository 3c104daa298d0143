@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery

import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.ObservableFlag

/**
 * An [OnlineManager] driven by hand: by tests (in virtual time, with no network to pull), by an
 * app with its own connectivity signal, or by a bridge to a platform's callbacks. Made with
 * [OnlineManager.manual]. Thread-safe.
 */
public class ManualOnlineManager internal constructor(online: Boolean) : OnlineManager {
    private val flag = ObservableFlag(online)

    override val isOnline: Boolean get() = flag.value

    /**
     * Sets whether the network is there. When that changes, every listener is told at once, on
     * the calling thread, before this returns; setting the current value again does nothing. A
     * listener that throws does not keep the others from being told; its exception is rethrown
     * here afterwards.
     */
    public fun setOnline(online: Boolean) {
        flag.set(online)
    }

    override fun addListener(listener: OnlineListener): Subscription = flag.addListener(listener::onOnlineChanged)

    override fun toString(): String = "ManualOnlineManager(online=$isOnline)"
}
