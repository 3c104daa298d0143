package dev.stackquery

import kotlinx.coroutines.flow.StateFlow
import java.util.concurrent.Executor

/**
 * A live view of one query, from [QueryClient.watch]: its state as a [StateFlow], and as
 * callbacks for code without coroutines.
 *
 * ```kotlin
 * val observer = client.watch(userOptions)
 * scope.launch { observer.state.collect { render(it) } }   // or: val sub = observer.subscribe { render(it) }
 * ```
 *
 * **Activity.** The observer counts its subscribers: collectors of [state] and [subscribe]rs.
 * When the first arrives it *attaches*: the query becomes active (safe from gc and eviction), is
 * fetched if [QueryOptions.refetchOnSubscribe] says so and the observer is enabled, and polls
 * every [QueryOptions.refetchInterval]. When the last leaves it *detaches*: polling stops and the
 * query's gc timer starts. This repeats for every first subscriber, so subscribing again later
 * works. The client holds an active observer strongly: nothing is lost to garbage collection.
 *
 * **States.** An observer's state is its query's state seen through the observer's own options:
 * placeholder data while there is none, the `select` function of `watch(options, select)`, its
 * own staleness ([QueryState.isStale], republished when the data turns stale) and
 * [QueryState.isFetchedAfterMount]. With [QueryOptions.notifyOnChange] it publishes only changes
 * of the parts it tracks. Many observers of one key share one query and one fetch.
 *
 * **Initial data.** An observer whose options have initial data, attaching to a query without
 * data, gives the query that data (as if it had been created with it).
 *
 * **Closing.** When the client closes, collectors of [state] end with a [CancellationException]
 * ([kotlinx.coroutines.CancellationException]) and subscriptions end.
 *
 * Thread-safe: any thread may subscribe, collect or read at any time.
 */
public interface QueryObserver<T> {
    /**
     * The observer's state. Its value is always readable (computed from the cache when nobody
     * collects); collecting it makes the observer active for as long as the collection runs.
     * Equal consecutive states are not emitted; like any `StateFlow`, a slow collector may skip
     * intermediate states.
     */
    public val state: StateFlow<QueryState<T>>

    /** The observer's current state: the same as `state.value`. */
    public val current: QueryState<T>

    /**
     * Subscribes [listener]: it is called at once, on this thread, with the current state, then
     * with every distinct change, in order and never concurrently, on the client's dispatcher.
     */
    public fun subscribe(listener: QueryListener<T>): Subscription

    /**
     * Like [subscribe], delivering every state through [executor] (a UI thread, say), the first
     * one included: [listener] is never called on another thread, not even by this call. The first
     * delivery is the observer's state when the executor runs it (states changed before are not
     * replayed), then every distinct change, in order and never concurrently. An executor that
     * rejects a task loses those deliveries (logged), never the cache's state.
     */
    public fun subscribe(listener: QueryListener<T>, executor: Executor): Subscription

    /**
     * Fetches the query now with this observer's options (joining a fetch in flight), waits for
     * it, and returns the observer's state afterwards. A failed fetch is reported in the state,
     * not thrown. Works whether or not the observer is active.
     *
     * @throws QueryClientClosedException when the client is closed.
     */
    public suspend fun refetch(): QueryState<T>
}
