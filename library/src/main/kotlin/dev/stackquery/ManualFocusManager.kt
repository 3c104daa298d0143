@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery

import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.ObservableFlag

/**
 * A [FocusManager] driven by hand: by tests (in virtual time, with no window), by an app that
 * knows its lifecycle better (a Compose window, a game loop), or by a bridge to a platform's
 * callbacks. Made with [FocusManager.manual]. Thread-safe.
 */
public class ManualFocusManager internal constructor(focused: Boolean) : FocusManager {
    private val flag = ObservableFlag(focused)

    override val isFocused: Boolean get() = flag.value

    /**
     * Sets whether the application is focused. When that changes, every listener is told at once,
     * on the calling thread, before this returns; setting the current value again does nothing.
     * A listener that throws does not keep the others from being told; its exception is rethrown
     * here afterwards.
     */
    public fun setFocused(focused: Boolean) {
        flag.set(focused)
    }

    override fun addListener(listener: FocusListener): Subscription = flag.addListener(listener::onFocusChanged)

    override fun toString(): String = "ManualFocusManager(focused=$isFocused)"
}
