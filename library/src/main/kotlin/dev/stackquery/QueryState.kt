package dev.stackquery

/**
 * An immutable snapshot of one query: its data, its error and whether it is fetching.
 *
 * A query's state is replaced atomically on every change, never mutated, so a snapshot read on
 * any thread is internally consistent. Two snapshots are [equal][equals] when every field is.
 *
 * Presence of data is [hasData], not `data != null`: a query may legitimately succeed with `null`.
 * Timestamps are epoch milliseconds from the client's [QueryClock]; `0` means "never" only
 * together with [hasData] (or an [error]) being false.
 *
 * The derived flags follow TanStack Query's observer result: [isFetched], [isRefetching],
 * [isLoadingError], [isRefetchError]; [isStale] and [isFetchedAfterMount] are as an observer (or,
 * for [QueryClient.getQueryState], the cache) saw them when the state was made.
 *
 * @param T the type of the query's data.
 */
public class QueryState<out T> internal constructor(
    /** What the query knows about its data. */
    public val status: QueryStatus,
    /** Whether the query's function is running right now. */
    public val fetchStatus: FetchStatus,
    /** The last successful data, or `null` when there is none (see [hasData]) or it is `null`. */
    public val data: T?,
    /** True once the query holds data, even `null` data. Kept through later errors. */
    @get:JvmName("hasData")
    public val hasData: Boolean,
    /** When [data] was last written (fetch, `setQueryData`, initial data), epoch ms; 0 when never. */
    public val dataUpdatedAt: Long,
    /** When the query last settled in [QueryStatus.ERROR], epoch ms; 0 when never. */
    public val errorUpdatedAt: Long,
    /** The error of the last fetch that failed for good; cleared by the next success. */
    public val error: Throwable?,
    /** How many attempts of the current or last fetch failed; reset to 0 by a success. */
    public val failureCount: Int,
    /** The error of the latest failed attempt; reset by a success. */
    public val failureReason: Throwable?,
    /** True after `invalidateQueries` until the next successful fetch or `setQueryData`. Invalidated data is stale. */
    public val isInvalidated: Boolean,
    /** True when [data] is an observer's placeholder, never the cache's. The cache never sets it. */
    public val isPlaceholderData: Boolean,
    /**
     * How many times data was written to the query (fetches, `setQueryData`, data from the L2
     * tier or another instance); initial data does not count. Reset by `resetQueries`.
     */
    public val dataUpdateCount: Int,
    /** How many fetches of the query failed for good. Reset by `resetQueries`. */
    public val errorUpdateCount: Int,
    /**
     * Whether the data is stale: there is none, it is invalidated, or it is older than the stale
     * time. An observer uses its own options' stale time and publishes a new state when its data
     * turns stale; [QueryClient.getQueryState] uses the query's latest options, at the time of the call.
     */
    public val isStale: Boolean,
    /**
     * Whether the query fetched (with success or failure) since the observer showing this state
     * first subscribed to it; always false in a state read from the cache.
     */
    public val isFetchedAfterMount: Boolean,
) {
    /** Status [QueryStatus.IDLE]: never fetched, no data. */
    public val isIdle: Boolean get() = status == QueryStatus.IDLE

    /** Status [QueryStatus.PENDING]: the first fetch runs and there is no data yet. */
    public val isPending: Boolean get() = status == QueryStatus.PENDING

    /** Status [QueryStatus.SUCCESS]. */
    public val isSuccess: Boolean get() = status == QueryStatus.SUCCESS

    /** Status [QueryStatus.ERROR]. */
    public val isError: Boolean get() = status == QueryStatus.ERROR

    /** Fetch status [FetchStatus.FETCHING], whatever the status (a background refetch included). */
    public val isFetching: Boolean get() = fetchStatus == FetchStatus.FETCHING

    /**
     * Fetch status [FetchStatus.PAUSED]: a fetch waits for the network (or, before a retry, for
     * focus). `isPending && isPaused` is a first load waiting for the network.
     */
    public val isPaused: Boolean get() = fetchStatus == FetchStatus.PAUSED

    /** The first load: [isPending] and [isFetching]. */
    public val isLoading: Boolean get() = isPending && isFetching

    /** Whether the query has fetched at least once, with success or failure ([dataUpdateCount] or [errorUpdateCount] > 0). */
    public val isFetched: Boolean get() = dataUpdateCount > 0 || errorUpdateCount > 0

    /** A background fetch: [isFetching] but not [isPending] (there is data or an error already). */
    public val isRefetching: Boolean get() = isFetching && !isPending

    /** [isError] with no data to show: the first load failed. */
    public val isLoadingError: Boolean get() = isError && !hasData

    /** [isError] while data from before is still shown: a refetch failed. */
    public val isRefetchError: Boolean get() = isError && hasData

    internal fun copy(
        status: QueryStatus = this.status,
        fetchStatus: FetchStatus = this.fetchStatus,
        error: Throwable? = this.error,
        errorUpdatedAt: Long = this.errorUpdatedAt,
        failureCount: Int = this.failureCount,
        failureReason: Throwable? = this.failureReason,
        isInvalidated: Boolean = this.isInvalidated,
        errorUpdateCount: Int = this.errorUpdateCount,
        isStale: Boolean = this.isStale,
        isFetchedAfterMount: Boolean = this.isFetchedAfterMount,
    ): QueryState<T> = QueryState(
        status, fetchStatus, data, hasData, dataUpdatedAt, errorUpdatedAt, error,
        failureCount, failureReason, isInvalidated, isPlaceholderData, dataUpdateCount, errorUpdateCount,
        isStale, isFetchedAfterMount,
    )

    /**
     * This state with [newData] written at [updatedAt]: SUCCESS, no error, not invalidated, one
     * more data update (none for initial data, [counted] false).
     */
    internal fun <R> withData(
        newData: R,
        updatedAt: Long,
        fetchStatus: FetchStatus = this.fetchStatus,
        counted: Boolean = true,
    ): QueryState<R> = QueryState(
        QueryStatus.SUCCESS, fetchStatus, newData, true, updatedAt, errorUpdatedAt, null,
        0, null, false, false, if (counted) dataUpdateCount + 1 else dataUpdateCount, errorUpdateCount,
        false, isFetchedAfterMount,
    )

    /** This state with [isStale] and [isFetchedAfterMount] as given; this very instance when they are already so. */
    internal fun flagged(stale: Boolean, fetchedAfterMount: Boolean = isFetchedAfterMount): QueryState<T> =
        if (stale == isStale && fetchedAfterMount == isFetchedAfterMount) {
            this
        } else {
            copy(isStale = stale, isFetchedAfterMount = fetchedAfterMount)
        }

    /**
     * This state as an observer shows it, with [shown] as its data: the query's own (selected)
     * data, or placeholder data (then SUCCESS, `isPlaceholderData`, never updated).
     */
    internal fun <R> showing(shown: R, placeholder: Boolean): QueryState<R> = QueryState(
        if (placeholder) QueryStatus.SUCCESS else status, fetchStatus, shown, true,
        if (placeholder) 0 else dataUpdatedAt, errorUpdatedAt, error, failureCount, failureReason,
        isInvalidated, placeholder, dataUpdateCount, errorUpdateCount, isStale, isFetchedAfterMount,
    )

    /** This state as an observer shows it when its `select` failed with [selectError]. */
    internal fun <R> selectFailed(selectError: Throwable, previous: R?, hasPrevious: Boolean): QueryState<R> =
        QueryState(
            QueryStatus.ERROR, fetchStatus, previous, hasPrevious, dataUpdatedAt, errorUpdatedAt, selectError,
            failureCount, failureReason, isInvalidated, false, dataUpdateCount, errorUpdateCount, isStale,
            isFetchedAfterMount,
        )

    override fun equals(other: Any?): Boolean {
        if (this === other) return true
        if (other !is QueryState<*>) return false
        return status == other.status && fetchStatus == other.fetchStatus && data == other.data &&
            hasData == other.hasData && dataUpdatedAt == other.dataUpdatedAt &&
            errorUpdatedAt == other.errorUpdatedAt && error == other.error &&
            failureCount == other.failureCount && failureReason == other.failureReason &&
            isInvalidated == other.isInvalidated && isPlaceholderData == other.isPlaceholderData &&
            dataUpdateCount == other.dataUpdateCount && errorUpdateCount == other.errorUpdateCount &&
            isStale == other.isStale && isFetchedAfterMount == other.isFetchedAfterMount
    }

    override fun hashCode(): Int {
        var h = status.hashCode()
        h = 31 * h + fetchStatus.hashCode()
        h = 31 * h + (data?.hashCode() ?: 0)
        h = 31 * h + dataUpdatedAt.hashCode()
        h = 31 * h + (error?.hashCode() ?: 0)
        h = 31 * h + failureCount
        h = 31 * h + isInvalidated.hashCode()
        h = 31 * h + dataUpdateCount
        h = 31 * h + errorUpdateCount
        h = 31 * h + isStale.hashCode()
        return h
    }

    override fun toString(): String =
        "QueryState(status=$status, fetchStatus=$fetchStatus, data=$data, hasData=$hasData, " +
            "dataUpdatedAt=$dataUpdatedAt, error=$error, failureCount=$failureCount, " +
            "isInvalidated=$isInvalidated, isPlaceholderData=$isPlaceholderData, isStale=$isStale, " +
            "dataUpdateCount=$dataUpdateCount, errorUpdateCount=$errorUpdateCount, " +
            "isFetchedAfterMount=$isFetchedAfterMount)"

    public companion object {
        /** The state of a query that never fetched and has no data (stale: there is none). */
        @JvmStatic
        public fun <T> idle(): QueryState<T> = QueryState(
            QueryStatus.IDLE, FetchStatus.IDLE, null, false, 0, 0, null, 0, null, false, false, 0, 0, true, false,
        )

        /** The state of a query that holds [data], written once, at [updatedAt] (epoch ms), and not stale. */
        @JvmStatic
        public fun <T> success(data: T, updatedAt: Long): QueryState<T> =
            idle<T>().withData(data, updatedAt, FetchStatus.IDLE)

        /** The state a query starts in with [initialData], current at [updatedAt]: no data update counted. */
        internal fun <T> initial(initialData: T, updatedAt: Long): QueryState<T> =
            idle<T>().withData(initialData, updatedAt, FetchStatus.IDLE, counted = false)
    }
}
