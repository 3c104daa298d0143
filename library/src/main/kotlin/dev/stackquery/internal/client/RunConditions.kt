package dev.stackquery.internal.client

import dev.stackquery.FocusManager
import dev.stackquery.NetworkMode
import dev.stackquery.OnlineManager
import dev.stackquery.Subscription
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.combine
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch

/**
 * Whether the application is focused and online, as one client's [FocusManager] and
 * [OnlineManager] report it, and what that allows (TanStack's retryer `canStart` / `canContinue`):
 * the first attempt of a fetch or mutation needs the network in [NetworkMode.ONLINE]; a retry
 * needs focus, and the network unless the mode is [NetworkMode.ALWAYS]. Paused work waits here
 * ([await]) and continues as soon as a manager reports the change.
 *
 * [start] subscribes to both managers: each change updates [now] on the manager's thread, then
 * runs the client's reaction ([onFocused] / [onOnline]: refetch triggers, polling) in its scope,
 * never on the manager's thread.
 */
internal class RunConditions(private val focusManager: FocusManager, private val onlineManager: OnlineManager) {
    /** Focus and network as last reported. */
    class Snapshot(val focused: Boolean, val online: Boolean) {
        /** Whether a first attempt in [mode] may start. */
        fun canStart(mode: NetworkMode): Boolean = mode != NetworkMode.ONLINE || online

        /** Whether a retry in [mode] may run. */
        fun canContinue(mode: NetworkMode): Boolean = focused && (mode == NetworkMode.ALWAYS || online)
    }

    private val state = MutableStateFlow(read())
    private var subscriptions: List<Subscription> = emptyList()

    /** The conditions now. */
    val now: Snapshot get() = state.value

    /** Re-reads both managers (a change they did not tell of, say). */
    fun refresh() {
        state.value = read()
    }

    private fun read() = Snapshot(focusManager.isFocused, onlineManager.isOnline)

    /**
     * Subscribes to the managers: on each change, [now] follows at once, and [onFocusChanged] or
     * [onOnlineChanged] (with the new value) runs in [scope].
     */
    fun start(scope: CoroutineScope, onFocusChanged: (Boolean) -> Unit, onOnlineChanged: (Boolean) -> Unit) {
        subscriptions = listOf(
            focusManager.addListener { _ ->
                refresh()
                val focused = focusManager.isFocused
                scope.launch { onFocusChanged(focused) }
            },
            onlineManager.addListener { _ ->
                refresh()
                val online = onlineManager.isOnline
                scope.launch { onOnlineChanged(online) }
            },
        )
    }

    /** Unsubscribes from the managers. */
    fun close() {
        subscriptions.forEach { it.unsubscribe() }
    }

    /**
     * Suspends until [ready] holds for the conditions (true) or, [stopped] given, until it is set
     * (false; checked first, so work nobody wants is not resumed).
     */
    suspend fun await(ready: (Snapshot) -> Boolean, stopped: StateFlow<Boolean>? = null): Boolean {
        if (stopped == null) {
            state.first(ready)
            return true
        }
        return combine(state, stopped) { conditions, stop ->
            when {
                stop -> false
                ready(conditions) -> true
                else -> null
            }
        }.first { it != null }!!
    }
}
