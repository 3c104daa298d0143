@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery

import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.subscriptionOf

/**
 * Whether the network is there, as a [QueryClient] sees it (`QueryClientConfig(onlineManager = …)`;
 * TanStack Query's `onlineManager`). What offline means for a query or a mutation is its
 * [NetworkMode]: in the default [NetworkMode.ONLINE], no attempt starts while offline (the fetch
 * or mutation is `PAUSED`) and it continues when the network is back. Coming back online also
 * refetches the active queries whose [QueryOptions.refetchOnReconnect] asks for it.
 *
 * Implementations tell every listener of each change (a listener may be called on any thread;
 * the client moves to its own dispatcher at once) and must be thread-safe. The default,
 * [ALWAYS_ONLINE], never changes: a server sees no difference. [manual] is one that tests and
 * apps drive; `stackquery-desktop` has one that watches the network interfaces (and, optionally,
 * a reachability probe), and the README shows the wiring for Android's `ConnectivityManager`.
 */
public interface OnlineManager {
    /** Whether the network is there now. */
    public val isOnline: Boolean

    /**
     * Registers [listener], told of every change from now on until the returned subscription
     * ends. The client registers one listener when it starts and removes it when it closes.
     */
    public fun addListener(listener: OnlineListener): Subscription

    public companion object {
        /** Always online and never changing: the default. */
        @JvmField
        public val ALWAYS_ONLINE: OnlineManager = object : OnlineManager {
            override val isOnline: Boolean get() = true

            override fun addListener(listener: OnlineListener): Subscription = subscriptionOf {}

            override fun toString(): String = "OnlineManager.ALWAYS_ONLINE"
        }

        /** An in-memory online manager, [online] at first, that [ManualOnlineManager.setOnline] drives. */
        @JvmStatic
        @JvmOverloads
        public fun manual(online: Boolean = true): ManualOnlineManager = ManualOnlineManager(online)
    }
}
