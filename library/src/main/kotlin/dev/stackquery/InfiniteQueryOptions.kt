package dev.stackquery

import dev.stackquery.future.AsyncPageFunction
import dev.stackquery.internal.checkRefetchInterval
import dev.stackquery.internal.checkRetry
import dev.stackquery.internal.durationMillis
import dev.stackquery.internal.query.PageLoader
import dev.stackquery.storage.QueryCodec
import kotlinx.coroutines.future.await
import kotlin.time.Duration
import kotlin.time.toKotlinDuration

/**
 * An infinite (paginated) query: a feed, a timeline, a "load more" list (TanStack Query's
 * `infiniteQueryOptions`). Its data is an [InfiniteData]: the pages fetched so far and their page
 * params. [QueryClient.fetchInfiniteQuery] loads the first page(s); an observer
 * ([QueryClient.watchInfinite]) loads more with `fetchNextPage` / `fetchPreviousPage`.
 *
 * ```kotlin
 * val feed = InfiniteQueryOptions(
 *     queryKey = queryKey("feed"),
 *     queryFn = { cursor: Int -> api.feed(cursor) },        // one page
 *     initialPageParam = 0,
 *     getNextPageParam = { last, _, _, _ -> last.nextCursor }, // null: no next page
 * )
 * ```
 *
 * **Refetches** (stale data, invalidation, polling, focus, reconnect) refetch every cached page in
 * order from the first page param, each next param computed from the freshly fetched pages,
 * stopping early when [getNextPageParam] returns `null`; the data is replaced in one step at the
 * end, so observers never see old and new pages mixed, and a failure keeps the old pages. A retry
 * (as [retry] and [retryPolicy] say) resumes at the page that failed.
 *
 * **Loading a page** adds it to the data as the data is when the page arrives: a `setQueryData`
 * made while it loaded is kept, with the page added after (or before) it. Everything else — dedup,
 * gc, eviction, prefix invalidation, cancel/reset/remove, stats, events, persistence — works as for
 * a [QueryOptions] query on the same key; the options here mean what they mean there.
 *
 * @property queryFn fetches one page, given its param.
 * @property initialPageParam the param of the first page.
 * @property getNextPageParam the param of the page after the last one, or `null` when there is none.
 * @property getPreviousPageParam the param of the page before the first one, or `null` (the
 *   default, no function: there is never a previous page).
 * @property maxPages the most pages kept: loading past it drops pages from the other end; `null`
 *   (default) keeps them all. Must be >= 1.
 * @property codec how the L2 tier stores the pages; [InfiniteData.codec] makes one from a page
 *   and a param codec. `null` keeps the query in memory only.
 * @throws IllegalArgumentException naming the field, for a negative duration or retry, a
 *   non-positive refetch interval, or `maxPages < 1`.
 */
public class InfiniteQueryOptions<T, P>(
    public val queryKey: QueryKey,
    @get:JvmSynthetic public val queryFn: suspend (pageParam: P) -> T,
    public val initialPageParam: P,
    public val getNextPageParam: PageParamFunction<T, P>,
    public val getPreviousPageParam: PageParamFunction<T, P>? = null,
    public val maxPages: Int? = null,
    @get:JvmSynthetic public val staleTime: Duration? = null,
    @get:JvmSynthetic public val gcTime: Duration? = null,
    public val retry: Int? = null,
    public val retryPolicy: RetryPolicy? = null,
    public val enabled: Boolean? = null,
    @get:JvmSynthetic public val refetchInterval: Duration? = null,
    public val refetchOnSubscribe: RefetchTrigger? = null,
    public val refetchOnFocus: RefetchTrigger? = null,
    public val refetchOnReconnect: RefetchTrigger? = null,
    public val networkMode: NetworkMode? = null,
    public val codec: QueryCodec<InfiniteData<T, P>>? = null,
    public val meta: Map<String, Any?>? = null,
) {
    init {
        require(maxPages == null || maxPages >= 1) { "maxPages must be >= 1, was $maxPages" }
        staleTime?.let { durationMillis(it, "staleTime") }
        gcTime?.let { durationMillis(it, "gcTime") }
        retry?.let(::checkRetry)
        refetchInterval?.let(::checkRefetchInterval)
    }

    /** The query these options run as, whose function loads the pages (one page on a first load). */
    internal val queryOptions: QueryOptions<InfiniteData<T, P>> = asQuery(firstLoadPages = 1)

    /** [queryOptions], or, for a first load of more than one page (`fetchInfiniteQuery(pages = n)`), a variant. */
    internal fun forFirstLoad(pages: Int): QueryOptions<InfiniteData<T, P>> {
        require(pages >= 1) { "pages must be >= 1, was $pages" }
        return if (pages == 1) queryOptions else asQuery(pages)
    }

    /** The query these options run as, loading [firstLoadPages] pages when it has none. */
    private fun asQuery(firstLoadPages: Int): QueryOptions<InfiniteData<T, P>> {
        val loader = PageLoader(this, firstLoadPages)
        return QueryOptions(
            queryKey = queryKey,
            queryFn = loader::load,
            staleTime = staleTime,
            gcTime = gcTime,
            retry = retry,
            retryPolicy = retryPolicy,
            enabled = enabled,
            refetchInterval = refetchInterval,
            refetchOnSubscribe = refetchOnSubscribe,
            meta = meta,
            codec = codec,
            networkMode = networkMode,
            refetchOnFocus = refetchOnFocus,
            refetchOnReconnect = refetchOnReconnect,
        )
    }

    /** The param of the page after [data]'s last, or `null` (none, or no pages). */
    internal fun nextPageParam(data: InfiniteData<T, P>): P? {
        if (data.pages.isEmpty()) return null
        return getNextPageParam.pageParam(data.pages.last(), data.pages, data.pageParams.last(), data.pageParams)
    }

    /** The param of the page before [data]'s first, or `null` (none, no function, or no pages). */
    internal fun previousPageParam(data: InfiniteData<T, P>): P? {
        val function = getPreviousPageParam ?: return null
        if (data.pages.isEmpty()) return null
        return function.pageParam(data.pages.first(), data.pages, data.pageParams.first(), data.pageParams)
    }

    override fun toString(): String =
        "InfiniteQueryOptions(queryKey=$queryKey, initialPageParam=$initialPageParam, maxPages=$maxPages)"

    /**
     * Builds [InfiniteQueryOptions] from Java; setters validate eagerly and return the builder.
     *
     * ```java
     * InfiniteQueryOptions<Page, Integer> feed = InfiniteQueryOptions.<Page, Integer>builder(
     *         QueryKey.of("feed"), cursor -> api.feedAsync(cursor), 0,
     *         (last, pages, param, params) -> last.nextCursor())
     *     .maxPages(10)
     *     .build();
     * ```
     */
    public class Builder<T, P> internal constructor(
        private val queryKey: QueryKey,
        private val queryFn: suspend (P) -> T,
        private val initialPageParam: P,
        private val getNextPageParam: PageParamFunction<T, P>,
    ) {
        private var getPreviousPageParam: PageParamFunction<T, P>? = null
        private var maxPages: Int? = null
        private var staleTime: Duration? = null
        private var gcTime: Duration? = null
        private var retry: Int? = null
        private var retryPolicy: RetryPolicy? = null
        private var enabled: Boolean? = null
        private var refetchInterval: Duration? = null
        private var refetchOnSubscribe: RefetchTrigger? = null
        private var refetchOnFocus: RefetchTrigger? = null
        private var refetchOnReconnect: RefetchTrigger? = null
        private var networkMode: NetworkMode? = null
        private var codec: QueryCodec<InfiniteData<T, P>>? = null
        private var meta: Map<String, Any?>? = null

        /** See [InfiniteQueryOptions.getPreviousPageParam]. */
        public fun getPreviousPageParam(function: PageParamFunction<T, P>): Builder<T, P> =
            apply { getPreviousPageParam = function }

        /** See [InfiniteQueryOptions.maxPages]. */
        public fun maxPages(max: Int): Builder<T, P> = apply {
            require(max >= 1) { "maxPages must be >= 1, was $max" }
            maxPages = max
        }

        /** See [QueryOptions.staleTime]. */
        public fun staleTime(staleTime: java.time.Duration): Builder<T, P> = apply {
            this.staleTime = staleTime.toKotlinDuration().also { durationMillis(it, "staleTime") }
        }

        /** See [QueryOptions.gcTime]. */
        public fun gcTime(gcTime: java.time.Duration): Builder<T, P> = apply {
            this.gcTime = gcTime.toKotlinDuration().also { durationMillis(it, "gcTime") }
        }

        /** See [QueryOptions.retry]; it applies to each page fetch. */
        public fun retry(retry: Int): Builder<T, P> = apply { this.retry = checkRetry(retry) }

        /** See [QueryOptions.retryPolicy]. */
        public fun retryPolicy(policy: RetryPolicy): Builder<T, P> = apply { retryPolicy = policy }

        /** See [QueryOptions.enabled]. */
        public fun enabled(enabled: Boolean): Builder<T, P> = apply { this.enabled = enabled }

        /** See [QueryOptions.refetchInterval]. */
        public fun refetchInterval(interval: java.time.Duration): Builder<T, P> = apply {
            refetchInterval = checkRefetchInterval(interval)
        }

        /** See [QueryOptions.refetchOnSubscribe]. */
        public fun refetchOnSubscribe(trigger: RefetchTrigger): Builder<T, P> = apply { refetchOnSubscribe = trigger }

        /** See [QueryOptions.refetchOnFocus]. */
        public fun refetchOnFocus(trigger: RefetchTrigger): Builder<T, P> = apply { refetchOnFocus = trigger }

        /** See [QueryOptions.refetchOnReconnect]. */
        public fun refetchOnReconnect(trigger: RefetchTrigger): Builder<T, P> = apply { refetchOnReconnect = trigger }

        /** See [QueryOptions.networkMode]. */
        public fun networkMode(mode: NetworkMode): Builder<T, P> = apply { networkMode = mode }

        /** See [InfiniteQueryOptions.codec]. */
        public fun codec(codec: QueryCodec<InfiniteData<T, P>>): Builder<T, P> = apply { this.codec = codec }

        /** See [QueryOptions.meta]; copied. */
        public fun meta(meta: Map<String, Any?>): Builder<T, P> = apply { this.meta = meta.toMap() }

        /** The options set so far. */
        public fun build(): InfiniteQueryOptions<T, P> = InfiniteQueryOptions(
            queryKey, queryFn, initialPageParam, getNextPageParam, getPreviousPageParam, maxPages, staleTime, gcTime,
            retry, retryPolicy, enabled, refetchInterval, refetchOnSubscribe, refetchOnFocus, refetchOnReconnect,
            networkMode, codec, meta,
        )
    }

    public companion object {
        /** A [Builder] for pages fetched by a function returning a `CompletionStage` (an async HTTP client, say). */
        @JvmStatic
        public fun <T, P> builder(
            queryKey: QueryKey,
            queryFn: AsyncPageFunction<P, T>,
            initialPageParam: P,
            getNextPageParam: PageParamFunction<T, P>,
        ): Builder<T, P> = Builder(queryKey, { param ->
            queryFn.fetch(param).await()
        }, initialPageParam, getNextPageParam)
    }
}
