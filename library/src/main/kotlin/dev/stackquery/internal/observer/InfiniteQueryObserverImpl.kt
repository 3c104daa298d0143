package dev.stackquery.internal.observer

import dev.stackquery.FetchReason
import dev.stackquery.InfiniteData
import dev.stackquery.InfiniteQueryListener
import dev.stackquery.InfiniteQueryObserver
import dev.stackquery.InfiniteQueryOptions
import dev.stackquery.InfiniteQueryState
import dev.stackquery.QueryListener
import dev.stackquery.QueryState
import dev.stackquery.Subscription
import dev.stackquery.internal.ResolvedOptions
import dev.stackquery.internal.client.ClientEngine
import dev.stackquery.internal.query.PageDirection
import kotlinx.coroutines.ExperimentalForInheritanceCoroutinesApi
import kotlinx.coroutines.flow.FlowCollector
import kotlinx.coroutines.flow.StateFlow
import java.util.concurrent.Executor

/**
 * The observer behind [dev.stackquery.QueryClient.watchInfinite]: a [QueryObserverImpl] of the
 * infinite query (its lifecycle, delivery and threading), whose states it completes with what the
 * pages and the fetch in flight say, and the page loads.
 */
internal class InfiniteQueryObserverImpl<T, P>(
    private val engine: ClientEngine,
    private val options: InfiniteQueryOptions<T, P>,
) : InfiniteQueryObserver<T, P> {
    private val inner = QueryObserverImpl<InfiniteData<T, P>, InfiniteData<T, P>>(engine, options.queryOptions, null)

    @OptIn(ExperimentalForInheritanceCoroutinesApi::class)
    override val state: StateFlow<InfiniteQueryState<T, P>> = object : StateFlow<InfiniteQueryState<T, P>> {
        override val value: InfiniteQueryState<T, P> get() = derive(inner.state.value)
        override val replayCache: List<InfiniteQueryState<T, P>> get() = listOf(value)

        override suspend fun collect(collector: FlowCollector<InfiniteQueryState<T, P>>): Nothing {
            var last: InfiniteQueryState<T, P>? = null
            inner.state.collect { raw ->
                val next = derive(raw)
                if (next != last) {
                    last = next
                    collector.emit(next)
                }
            }
        }
    }

    override val current: InfiniteQueryState<T, P> get() = derive(inner.current)

    override fun subscribe(listener: InfiniteQueryListener<T, P>): Subscription =
        inner.subscribe(QueryListener { listener.onState(derive(it)) })

    override fun subscribe(listener: InfiniteQueryListener<T, P>, executor: Executor): Subscription =
        inner.subscribe(QueryListener { listener.onState(derive(it)) }, executor)

    override suspend fun fetchNextPage(cancelRefetch: Boolean): InfiniteQueryState<T, P> =
        load(PageDirection.FORWARD, cancelRefetch)

    override suspend fun fetchPreviousPage(cancelRefetch: Boolean): InfiniteQueryState<T, P> =
        load(PageDirection.BACKWARD, cancelRefetch)

    override suspend fun refetch(): InfiniteQueryState<T, P> = derive(inner.refetch())

    /** Loads the page [direction] names, unless there is none; the state once the load settled. */
    private suspend fun load(direction: PageDirection, cancelRefetch: Boolean): InfiniteQueryState<T, P> {
        val shown = current
        if (!(if (direction == PageDirection.FORWARD) shown.hasNextPage else shown.hasPreviousPage)) return shown
        val given = engine.withDefaults(options.queryOptions)
        val resolved = ResolvedOptions.resolve(given, engine.config)
        val reason = if (direction ==
            PageDirection.FORWARD
        ) {
            FetchReason.FETCH_NEXT_PAGE
        } else {
            FetchReason.FETCH_PREVIOUS_PAGE
        }
        while (true) {
            val query = engine.store.getOrCreate(given.queryKey, given)
            val fetched = query.waitingFor {
                val fetch = query.fetch(resolved, reason, cancelRefetch, direction)
                fetch?.join()
                fetch != null
            }
            if (fetched) return current
        }
    }

    /** [raw] with what the pages (next and previous params) and the query's fetch (which page it loads) add. */
    private fun derive(raw: QueryState<InfiniteData<T, P>>): InfiniteQueryState<T, P> {
        val query = engine.store.get<InfiniteData<T, P>>(options.queryKey)
        val loading = if (raw.isFetching) query?.fetches?.current?.direction else null
        val last = if (raw.isError) query?.lastDirection else null
        val data = raw.data
        return InfiniteQueryState(
            raw,
            hasNextPage = data != null && param("getNextPageParam") { options.nextPageParam(data) } != null,
            hasPreviousPage = data != null && param("getPreviousPageParam") { options.previousPageParam(data) } != null,
            isFetchingNextPage = loading == PageDirection.FORWARD,
            isFetchingPreviousPage = loading == PageDirection.BACKWARD,
            isFetchNextPageError = last == PageDirection.FORWARD,
            isFetchPreviousPageError = last == PageDirection.BACKWARD,
        )
    }

    /** Calls a page-param function; one that throws is logged and means "no such page". */
    private inline fun param(name: String, function: () -> P?): P? = try {
        function()
    } catch (e: Exception) {
        engine.runtime.logFailure("the $name function of ${options.queryKey}", e)
        null
    }
}
