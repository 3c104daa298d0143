package dev.stackquery.future

import dev.stackquery.CombinedQueryObserver
import dev.stackquery.InfiniteData
import dev.stackquery.InfiniteQueryObserver
import dev.stackquery.InfiniteQueryOptions
import dev.stackquery.InfiniteQueryState
import dev.stackquery.Mutation
import dev.stackquery.QueryClient
import dev.stackquery.QueryClientClosedException
import dev.stackquery.QueryFilter
import dev.stackquery.QueryKey
import dev.stackquery.QueryObserver
import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import dev.stackquery.RefetchType
import dev.stackquery.SelectedInfiniteQueryObserver
import dev.stackquery.SwitchableQueryObserver
import dev.stackquery.dependentQuery
import dev.stackquery.internal.durationMillis
import dev.stackquery.parallelQueries
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Job
import kotlinx.coroutines.future.future
import java.util.concurrent.CompletableFuture
import java.util.function.BiFunction
import java.util.function.Function
import kotlin.time.toKotlinDuration

/**
 * The [QueryClient] for Java: every suspending operation as a method returning a
 * [CompletableFuture], in the style of Caffeine's `AsyncCache`.
 *
 * ```java
 * try (QueryClient client = new QueryClient()) {
 *     FutureQueryClient futures = FutureQueryClient.of(client);
 *     QueryOptions<User> opts = QueryOptions.<User>builder(QueryKey.of("user", 42), () -> api.userAsync(42)).build();
 *     User user = futures.fetchQuery(opts).join();
 *     futures.invalidateQueries(QueryKey.of("user")).join();
 * }
 * ```
 *
 * - A fresh cache hit returns an already completed future, on the calling thread, with no dispatch.
 * - Otherwise the work runs in the client's scope. Cancelling a returned future detaches that
 *   caller only: a fetch shared with other callers goes on and fills the cache.
 * - A failure completes the future exceptionally with the error itself as the cause (not wrapped).
 * - Non-suspending operations (`getQueryData`, `setQueryData`, `watch`, `removeQueries`, …) are
 *   called on the [client] directly.
 *
 * Thread-safe; cheap to create (it holds only the client).
 */
public class FutureQueryClient private constructor(
    /** The client this facade calls. */
    public val client: QueryClient,
) {
    private val engine = client.engine

    /**
     * Runs [block] in the client's scope; on a closed client, a future failed with
     * [QueryClientClosedException], also when the client closes as it starts (the coroutine starts
     * atomically, so it always runs and can translate the client's cancellation).
     */
    private fun <R> launch(block: suspend CoroutineScope.() -> R): CompletableFuture<R> {
        if (engine.runtime.isClosed) return CompletableFuture.failedFuture(QueryClientClosedException())
        return engine.runtime.scope.future(start = CoroutineStart.ATOMIC) {
            engine.closedAware(inClientScope = true) { block() }
        }
    }

    /** [QueryClient.fetchQuery]: fresh data at once, stale data at once plus a refetch, else the fetch. */
    public fun <T> fetchQuery(options: QueryOptions<T>): CompletableFuture<T> {
        val fresh = engine.freshState(options)
        @Suppress("UNCHECKED_CAST") // a fresh state has data: a T, even when T is nullable
        if (fresh != null) return CompletableFuture.completedFuture(fresh.data as T)
        return launch { client.fetchQuery(options) }
    }

    /**
     * [QueryClient.flush]: completes once every L2 write queued before the call was sent (or
     * given up); at once without a storage. Works after [QueryClient.close] too, so a process can
     * `close()` then `flush().join()` before it exits.
     */
    public fun flush(): CompletableFuture<Void?> =
        CoroutineScope(client.config.coroutineContext.minusKey(Job)).future { client.flush(); null }

    /**
     * [QueryClient.flush] with a timeout: completes with true once every L2 write queued before
     * the call was sent (or given up), with false when [timeout] ran out first.
     *
     * @throws IllegalArgumentException when [timeout] is negative.
     */
    public fun flush(timeout: java.time.Duration): CompletableFuture<Boolean> {
        val limit = timeout.toKotlinDuration()
        durationMillis(limit, "flush timeout") // rejects a negative timeout here, not in the future
        return CoroutineScope(client.config.coroutineContext.minusKey(Job)).future { client.flush(limit) }
    }

    /** [QueryClient.prefetchQuery]: completes when the cache is warm; never completes exceptionally for a fetch error. */
    public fun prefetchQuery(options: QueryOptions<*>): CompletableFuture<Void?> =
        launch { client.prefetchQuery(options); null }

    /** [QueryClient.ensureQueryData]: cached data (even stale) at once, else the fetch. */
    public fun <T> ensureQueryData(options: QueryOptions<T>): CompletableFuture<T> =
        launch { client.ensureQueryData(options) }

    /** [QueryClient.ensureQueryData]; with [revalidateIfStale], stale data is also refetched in the background. */
    public fun <T> ensureQueryData(options: QueryOptions<T>, revalidateIfStale: Boolean): CompletableFuture<T> =
        launch { client.ensureQueryData(options, revalidateIfStale) }

    /** [QueryClient.fetchInfiniteQuery] (the first page when there is no data). */
    public fun <T, P> fetchInfiniteQuery(options: InfiniteQueryOptions<T, P>): CompletableFuture<InfiniteData<T, P>> =
        fetchInfiniteQuery(options, 1)

    /** [QueryClient.fetchInfiniteQuery] loading the first [pages] pages when there is no data. */
    public fun <T, P> fetchInfiniteQuery(
        options: InfiniteQueryOptions<T, P>,
        pages: Int,
    ): CompletableFuture<InfiniteData<T, P>> = launch { client.fetchInfiniteQuery(options, pages) }

    /** [QueryClient.prefetchInfiniteQuery]; never completes exceptionally for a fetch error. */
    public fun prefetchInfiniteQuery(options: InfiniteQueryOptions<*, *>, pages: Int): CompletableFuture<Void?> =
        launch { client.prefetchInfiniteQuery(options, pages); null }

    /** [QueryClient.ensureInfiniteQueryData]. */
    public fun <T, P> ensureInfiniteQueryData(
        options: InfiniteQueryOptions<T, P>,
        pages: Int,
        revalidateIfStale: Boolean,
    ): CompletableFuture<InfiniteData<T, P>> = launch {
        client.ensureInfiniteQueryData(options, pages, revalidateIfStale)
    }

    /** [InfiniteQueryObserver.fetchNextPage] (cancelling a refetch of every page in flight): the state once settled. */
    public fun <T, P> fetchNextPage(
        observer: InfiniteQueryObserver<T, P>,
    ): CompletableFuture<InfiniteQueryState<T, P>> = launch { observer.fetchNextPage() }

    /** [InfiniteQueryObserver.fetchNextPage] with [cancelRefetch]. */
    public fun <T, P> fetchNextPage(
        observer: InfiniteQueryObserver<T, P>,
        cancelRefetch: Boolean,
    ): CompletableFuture<InfiniteQueryState<T, P>> = launch { observer.fetchNextPage(cancelRefetch) }

    /** [InfiniteQueryObserver.fetchPreviousPage]: the state once settled. */
    public fun <T, P> fetchPreviousPage(
        observer: InfiniteQueryObserver<T, P>,
    ): CompletableFuture<InfiniteQueryState<T, P>> = launch { observer.fetchPreviousPage() }

    /** [InfiniteQueryObserver.refetch]: every page refetched; the state once settled. */
    public fun <T, P> refetch(observer: InfiniteQueryObserver<T, P>): CompletableFuture<InfiniteQueryState<T, P>> =
        launch { observer.refetch() }

    /** [QueryClient.resumePausedMutations]: completes once the paused mutation runs that may run now have settled. */
    public fun resumePausedMutations(): CompletableFuture<Void?> = launch { client.resumePausedMutations(); null }

    /** [QueryClient.invalidateQueries]; completes when the active queries were refetched. */
    public fun invalidateQueries(filter: QueryFilter): CompletableFuture<Void?> =
        launch { client.invalidateQueries(filter); null }

    /** [QueryClient.invalidateQueries] for every key starting with [prefix]. */
    public fun invalidateQueries(prefix: QueryKey): CompletableFuture<Void?> =
        invalidateQueries(QueryFilter.prefix(prefix))

    /**
     * [QueryClient.invalidateQueries] refetching the queries [refetchType] names, cancelling a
     * fetch in flight when [cancelRefetch] (else joining it); completes when they were refetched.
     */
    public fun invalidateQueries(
        filter: QueryFilter,
        refetchType: RefetchType,
        cancelRefetch: Boolean,
    ): CompletableFuture<Void?> = launch { client.invalidateQueries(filter, refetchType, cancelRefetch); null }

    /** [QueryClient.refetchQueries]; completes when the refetches settled. */
    public fun refetchQueries(filter: QueryFilter): CompletableFuture<Void?> =
        launch { client.refetchQueries(filter); null }

    /** [QueryClient.refetchQueries] for every key starting with [prefix]. */
    public fun refetchQueries(prefix: QueryKey): CompletableFuture<Void?> = refetchQueries(QueryFilter.prefix(prefix))

    /** [QueryClient.refetchQueries]; with [cancelRefetch], a fetch in flight is cancelled and started again. */
    public fun refetchQueries(filter: QueryFilter, cancelRefetch: Boolean): CompletableFuture<Void?> =
        launch { client.refetchQueries(filter, cancelRefetch); null }

    /** [QueryClient.cancelQueries]; completes when the cancelled fetches stopped. */
    public fun cancelQueries(filter: QueryFilter): CompletableFuture<Void?> =
        launch { client.cancelQueries(filter); null }

    /** [QueryClient.cancelQueries] with [revert] false: the queries settle in ERROR with the cancellation. */
    public fun cancelQueries(filter: QueryFilter, revert: Boolean): CompletableFuture<Void?> =
        launch { client.cancelQueries(filter, revert); null }

    /** [QueryClient.cancelQueries] for every key starting with [prefix]. */
    public fun cancelQueries(prefix: QueryKey): CompletableFuture<Void?> = cancelQueries(QueryFilter.prefix(prefix))

    /** [QueryClient.resetQueries]; completes when the active queries were refetched. */
    public fun resetQueries(filter: QueryFilter): CompletableFuture<Void?> =
        launch { client.resetQueries(filter); null }

    /** [QueryClient.resetQueries] for every key starting with [prefix]. */
    public fun resetQueries(prefix: QueryKey): CompletableFuture<Void?> = resetQueries(QueryFilter.prefix(prefix))

    /**
     * Fetches every query of [options] concurrently; the results in order. The first failure
     * completes the future exceptionally; the other fetches still fill the cache.
     */
    public fun <T> parallelQueries(options: List<QueryOptions<out T>>): CompletableFuture<List<T>> =
        launch { client.parallelQueries(options) }

    /**
     * [QueryClient.parallelQueries] of two queries of different types, combined: completes with
     * `combine(a's data, b's data)`, or fails as the list form does.
     */
    public fun <A, B, R> parallelQueries(
        a: QueryOptions<A>,
        b: QueryOptions<B>,
        combine: BiFunction<A, B, R>,
    ): CompletableFuture<R> = launch {
        val (first, second) = client.parallelQueries(a, b)
        combine.apply(first, second)
    }

    /** [parallelQueries] of three queries of different types, combined. */
    public fun <A, B, C, R> parallelQueries(
        a: QueryOptions<A>,
        b: QueryOptions<B>,
        c: QueryOptions<C>,
        combine: TriFunction<A, B, C, R>,
    ): CompletableFuture<R> = launch {
        val (first, second, third) = client.parallelQueries(a, b, c)
        combine.apply(first, second, third)
    }

    /** Fetches [dependsOn], then the query [then] builds from its result. */
    public fun <T, R> dependentQuery(
        dependsOn: QueryOptions<T>,
        then: Function<T, QueryOptions<R>>,
    ): CompletableFuture<R> = launch { client.dependentQuery(dependsOn) { then.apply(it) } }

    /** Runs [mutation] with [variables] (see [Mutation.mutate]); cancelling the future detaches this caller only. */
    public fun <D, V> mutate(mutation: Mutation<D, V>, variables: V): CompletableFuture<D> =
        launch { mutation.mutate(variables) }

    /**
     * Runs [mutation] with [variables] and [callbacks] for this call only (see the per-call
     * `mutate` of [Mutation]: they run after the run settled, after the options' callbacks, before
     * the future completes). Cancelling the future detaches this caller only; the callbacks still run.
     */
    public fun <D, V> mutate(
        mutation: Mutation<D, V>,
        variables: V,
        callbacks: MutateCallbacks<D, V>,
    ): CompletableFuture<D> = launch {
        mutation.mutate(
            variables,
            onSuccess = callbacks.onSuccess?.let {
                { data, variables, context -> it.onSuccess(data, variables, context) }
            },
            onError = callbacks.onError?.let {
                { error, variables, context -> it.onError(error, variables, context) }
            },
            onSettled = callbacks.onSettled?.let {
                { data, error, variables, context -> it.onSettled(data, error, variables, context) }
            },
        )
    }

    /** [QueryClient.watchInfinite] with a `select` of the pages, taking a `java.util.function.Function`. */
    public fun <T, P, R> watchInfinite(
        options: InfiniteQueryOptions<T, P>,
        select: Function<InfiniteData<T, P>, R>,
    ): SelectedInfiniteQueryObserver<T, P, R> = client.watchInfinite(options, select::apply)

    /** [QueryClient.watch] with a Java [Function] as the per-observer select. */
    public fun <T, R> watch(options: QueryOptions<T>, select: Function<T, R>): SwitchableQueryObserver<T, R> =
        client.watch(options) { select.apply(it) }

    /** A [QueryObserver]'s [QueryObserver.refetch], as a future of the state afterwards. */
    public fun <T> refetch(observer: QueryObserver<T>): CompletableFuture<QueryState<T>> = launch { observer.refetch() }

    /** [QueryClient.watchAll] with a Java [Function] combining the states (in the order of [options]). */
    public fun <T, R> watchAll(
        options: List<QueryOptions<out T>>,
        combine: Function<List<QueryState<T>>, R>,
    ): CombinedQueryObserver<R> = client.watchAll(options) { combine.apply(it) }

    /** A [CombinedQueryObserver]'s [CombinedQueryObserver.refetch], as a future of the value afterwards. */
    public fun <R> refetch(observer: CombinedQueryObserver<R>): CompletableFuture<R> = launch { observer.refetch() }

    /** [QueryClient.watchDependent] with a Java [Function] building the second query's options. */
    public fun <A, B> watchDependent(dependsOn: QueryOptions<A>, then: Function<A, QueryOptions<B>>): QueryObserver<B> =
        client.watchDependent(dependsOn) { then.apply(it) }

    /** [QueryClient.watchDependent] keeping the data shown while a new key loads, when [keepPreviousData]. */
    public fun <A, B> watchDependent(
        dependsOn: QueryOptions<A>,
        keepPreviousData: Boolean,
        then: Function<A, QueryOptions<B>>,
    ): QueryObserver<B> = client.watchDependent(dependsOn, keepPreviousData) { then.apply(it) }

    public companion object {
        /** The facade for [client]. */
        @JvmStatic
        public fun of(client: QueryClient): FutureQueryClient = FutureQueryClient(client)
    }
}
