@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery

import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.subscriptionOf

/**
 * Whether the application is in the foreground, as a [QueryClient] sees it
 * (`QueryClientConfig(focusManager = …)`; TanStack Query's `focusManager`). While unfocused,
 * retries wait before their next attempt (`FetchStatus.PAUSED`) and polling stops unless a query
 * asks for [QueryOptions.refetchIntervalInBackground]; regaining focus refetches the active
 * queries whose [QueryOptions.refetchOnFocus] asks for it, continues the paused fetches and
 * resumes paused mutations.
 *
 * Implementations tell every listener of each change (a listener may be called on any thread;
 * the client moves to its own dispatcher at once) and must be thread-safe. The default,
 * [ALWAYS_FOCUSED], never changes: a server sees no difference. [manual] is one that tests and
 * apps drive; `stackquery-desktop` has one that follows an AWT application's windows, and the
 * README shows the wiring for Android's process lifecycle.
 */
public interface FocusManager {
    /** Whether the application is focused now. */
    public val isFocused: Boolean

    /**
     * Registers [listener], told of every change from now on until the returned subscription
     * ends. The client registers one listener when it starts and removes it when it closes.
     */
    public fun addListener(listener: FocusListener): Subscription

    public companion object {
        /** Always focused and never changing: the default. */
        @JvmField
        public val ALWAYS_FOCUSED: FocusManager = object : FocusManager {
            override val isFocused: Boolean get() = true

            override fun addListener(listener: FocusListener): Subscription = subscriptionOf {}

            override fun toString(): String = "FocusManager.ALWAYS_FOCUSED"
        }

        /** An in-memory focus manager, [focused] at first, that [ManualFocusManager.setFocused] drives. */
        @JvmStatic
        @JvmOverloads
        public fun manual(focused: Boolean = true): ManualFocusManager = ManualFocusManager(focused)
    }
}
