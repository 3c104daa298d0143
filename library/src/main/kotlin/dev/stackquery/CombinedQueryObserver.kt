package dev.stackquery

import kotlinx.coroutines.flow.StateFlow
import java.util.concurrent.Executor
import java.util.function.Consumer

/**
 * A live value combined from several queries, from [QueryClient.watchAll]: a screen that shows a
 * user, their orders and their settings together binds to one of these.
 *
 * ```kotlin
 * val dashboard = client.watchAll(listOf(userOptions, ordersOptions)) { states ->
 *     Dashboard(loading = states.any { it.isPending }, user = states[0].data as User?, orders = states[1].data as List<Order>?)
 * }
 * scope.launch { dashboard.state.collect { render(it) } }
 * ```
 *
 * **Activity.** Its subscribers (collectors of [state] and [subscribe]rs) are the subscribers of
 * every underlying observer at once: the first one attaches all of them (each fetching as its
 * options say), the last one detaches all of them.
 *
 * **Values.** The value is `combine(states)`, the states in the order of the options, run again
 * whenever one of them changes; a result equal to the previous one is not emitted and keeps the
 * previous instance ([StructuralSharing.replaceEqualDeep]). `combine` must be a fast, pure
 * function; if it throws, the exception ends the collection (and is logged for listeners).
 *
 * **Closing.** When the client closes, collectors of [state] end with a `CancellationException`
 * and subscriptions end.
 *
 * @param R the combined value's type.
 */
public interface CombinedQueryObserver<R> {
    /** The combined value: always readable, and collecting it keeps every underlying observer active. */
    public val state: StateFlow<R>

    /** The current combined value: the same as `state.value`. */
    public val current: R

    /** The underlying observers, in the order of the options. */
    public val observers: List<QueryObserver<*>>

    /**
     * Subscribes [listener]: it is called at once, on this thread, with the current value, then
     * with every distinct change, in order and never concurrently, on the client's dispatcher.
     */
    public fun subscribe(listener: Consumer<in R>): Subscription

    /**
     * Like [subscribe], delivering every value, the first included, through [executor] (a UI
     * thread, say): [listener] is never called on another thread.
     */
    public fun subscribe(listener: Consumer<in R>, executor: Executor): Subscription

    /**
     * Refetches every underlying query (as [QueryObserver.refetch]), waits for all of them, and
     * returns the combined value afterwards.
     *
     * @throws QueryClientClosedException when the client is closed.
     */
    public suspend fun refetch(): R
}
