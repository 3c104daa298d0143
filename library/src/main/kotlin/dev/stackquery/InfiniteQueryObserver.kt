package dev.stackquery

import kotlinx.coroutines.flow.StateFlow
import java.util.concurrent.Executor

/**
 * A live view of an infinite query, from [QueryClient.watchInfinite]: its [InfiniteQueryState] as a
 * [StateFlow] and as callbacks, and the "load more" calls. Its activity (subscribers, fetching on
 * subscribe, polling, gc) is a [QueryObserver]'s; so is its threading.
 *
 * ```kotlin
 * val feed = client.watchInfinite(feedOptions)
 * scope.launch { feed.state.collect { render(it.pages, showMore = it.hasNextPage) } }
 * onScrolledToEnd { scope.launch { feed.fetchNextPage() } }
 * ```
 * From Java, `FutureQueryClient.fetchNextPage(observer)` returns a future.
 */
public interface InfiniteQueryObserver<T, P> {
    /** The observer's state; collecting it makes the observer active. Equal consecutive states are not emitted. */
    public val state: StateFlow<InfiniteQueryState<T, P>>

    /** The observer's current state: the same as `state.value`. */
    public val current: InfiniteQueryState<T, P>

    /** Subscribes [listener] (told on the client's dispatcher) until the subscription ends; it keeps the observer active. */
    public fun subscribe(listener: InfiniteQueryListener<T, P>): Subscription

    /** Like [subscribe], every state delivered through [executor] (a UI thread, say). */
    public fun subscribe(listener: InfiniteQueryListener<T, P>, executor: Executor): Subscription

    /**
     * Loads the page after the last one and returns the state once it settled (an error shows in
     * the state, [InfiniteQueryState.isFetchNextPageError]; nothing is thrown for it). Does nothing
     * (returns the current state) when [InfiniteQueryState.hasNextPage] is false. A call while a
     * next page loads joins that load (one page is fetched); while a refetch of every page runs, it
     * cancels the refetch and loads the page when [cancelRefetch] (the default, as TanStack's),
     * else it waits for the refetch and loads nothing.
     */
    public suspend fun fetchNextPage(cancelRefetch: Boolean = true): InfiniteQueryState<T, P>

    /** [fetchNextPage] for the page before the first one ([InfiniteQueryState.hasPreviousPage]). */
    public suspend fun fetchPreviousPage(cancelRefetch: Boolean = true): InfiniteQueryState<T, P>

    /** Refetches every page (see [InfiniteQueryOptions]) and returns the state once it settled. */
    public suspend fun refetch(): InfiniteQueryState<T, P>
}
