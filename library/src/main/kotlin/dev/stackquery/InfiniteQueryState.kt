package dev.stackquery

/**
 * What an [InfiniteQueryObserver] shows (TanStack's `InfiniteQueryObserverResult`): the state of
 * its query ([queryState], whose fields are repeated here) plus what pages add.
 *
 * @property queryState the underlying query's state as the observer shows it.
 * @property hasNextPage whether `getNextPageParam` gives a param after the last page (false
 *   without data).
 * @property hasPreviousPage whether `getPreviousPageParam` gives a param before the first page.
 * @property isFetchingNextPage a fetch loading the next page is running.
 * @property isFetchingPreviousPage a fetch loading the previous page is running.
 * @property isFetchNextPageError the query is in ERROR because loading the next page failed.
 * @property isFetchPreviousPageError the query is in ERROR because loading the previous page failed.
 */
public class InfiniteQueryState<T, P> internal constructor(
    public val queryState: QueryState<InfiniteData<T, P>>,
    @get:JvmName("hasNextPage") public val hasNextPage: Boolean,
    @get:JvmName("hasPreviousPage") public val hasPreviousPage: Boolean,
    public val isFetchingNextPage: Boolean,
    public val isFetchingPreviousPage: Boolean,
    public val isFetchNextPageError: Boolean,
    public val isFetchPreviousPageError: Boolean,
) {
    /** The pages and params, or `null` before the first page arrived. */
    public val data: InfiniteData<T, P>? get() = queryState.data

    /** The pages, empty before the first arrived. */
    public val pages: List<T> get() = queryState.data?.pages ?: emptyList()

    /** See [QueryState.status]. */
    public val status: QueryStatus get() = queryState.status

    /** See [QueryState.fetchStatus]. */
    public val fetchStatus: FetchStatus get() = queryState.fetchStatus

    /** See [QueryState.error]. */
    public val error: Throwable? get() = queryState.error

    /** See [QueryState.failureCount]. */
    public val failureCount: Int get() = queryState.failureCount

    /** See [QueryState.failureReason]. */
    public val failureReason: Throwable? get() = queryState.failureReason

    /** See [QueryState.dataUpdatedAt]. */
    public val dataUpdatedAt: Long get() = queryState.dataUpdatedAt

    /** See [QueryState.isStale]. */
    public val isStale: Boolean get() = queryState.isStale

    /** See [QueryState.isPending]. */
    public val isPending: Boolean get() = queryState.isPending

    /** See [QueryState.isSuccess]. */
    public val isSuccess: Boolean get() = queryState.isSuccess

    /** See [QueryState.isError]. */
    public val isError: Boolean get() = queryState.isError

    /** See [QueryState.isFetching]: any fetch, a page load included. */
    public val isFetching: Boolean get() = queryState.isFetching

    /** See [QueryState.isPaused]. */
    public val isPaused: Boolean get() = queryState.isPaused

    /** See [QueryState.isLoading]. */
    public val isLoading: Boolean get() = queryState.isLoading

    /** A background refetch of every page: fetching with data, not loading a next or previous page. */
    public val isRefetching: Boolean
        get() = queryState.isRefetching && !isFetchingNextPage && !isFetchingPreviousPage

    override fun equals(other: Any?): Boolean = other is InfiniteQueryState<*, *> &&
        queryState == other.queryState && hasNextPage == other.hasNextPage &&
        hasPreviousPage == other.hasPreviousPage && isFetchingNextPage == other.isFetchingNextPage &&
        isFetchingPreviousPage == other.isFetchingPreviousPage && isFetchNextPageError == other.isFetchNextPageError &&
        isFetchPreviousPageError == other.isFetchPreviousPageError

    override fun hashCode(): Int = queryState.hashCode() * 31 + if (isFetchingNextPage) 1 else 0

    override fun toString(): String =
        "InfiniteQueryState(status=$status, fetchStatus=$fetchStatus, pages=${pages.size}, hasNextPage=$hasNextPage, " +
            "hasPreviousPage=$hasPreviousPage, isFetchingNextPage=$isFetchingNextPage, " +
            "isFetchingPreviousPage=$isFetchingPreviousPage, error=$error)"
}
