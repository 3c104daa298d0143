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

    /** The first load: [isPending] and [isFetching]. */
    public val isLoading: Boolean get() = isPending && isFetching

    internal fun copy(
        status: QueryStatus = this.status,
        fetchStatus: FetchStatus = this.fetchStatus,
        error: Throwable? = this.error,
        errorUpdatedAt: Long = this.errorUpdatedAt,
        failureCount: Int = this.failureCount,
        failureReason: Throwable? = this.failureReason,
        isInvalidated: Boolean = this.isInvalidated,
    ): QueryState<T> = QueryState(
        status, fetchStatus, data, hasData, dataUpdatedAt, errorUpdatedAt, error,
        failureCount, failureReason, isInvalidated, isPlaceholderData,
    )

    /** This state with [newData] written at [updatedAt]: SUCCESS, no error, not invalidated. */
    internal fun <R> withData(newData: R, updatedAt: Long, fetchStatus: FetchStatus = this.fetchStatus): QueryState<R> =
        QueryState(
            QueryStatus.SUCCESS, fetchStatus, newData, true, updatedAt, errorUpdatedAt, null,
            0, null, false, false,
        )

    /**
     * This state as an observer shows it, with [shown] as its data: the query's own (selected)
     * data, or placeholder data (then SUCCESS, `isPlaceholderData`, never updated).
     */
    internal fun <R> showing(shown: R, placeholder: Boolean): QueryState<R> = QueryState(
        if (placeholder) QueryStatus.SUCCESS else status, fetchStatus, shown, true,
        if (placeholder) 0 else dataUpdatedAt, errorUpdatedAt, error, failureCount, failureReason,
        isInvalidated, placeholder,
    )

    /** This state as an observer shows it when its `select` failed with [selectError]. */
    internal fun <R> selectFailed(selectError: Throwable, previous: R?, hasPrevious: Boolean): QueryState<R> =
        QueryState(
            QueryStatus.ERROR, fetchStatus, previous, hasPrevious, dataUpdatedAt, errorUpdatedAt, selectError,
            failureCount, failureReason, isInvalidated, false,
        )

    override fun equals(other: Any?): Boolean {
        if (this === other) return true
        if (other !is QueryState<*>) return false
        return status == other.status && fetchStatus == other.fetchStatus && data == other.data &&
            hasData == other.hasData && dataUpdatedAt == other.dataUpdatedAt &&
            errorUpdatedAt == other.errorUpdatedAt && error == other.error &&
            failureCount == other.failureCount && failureReason == other.failureReason &&
            isInvalidated == other.isInvalidated && isPlaceholderData == other.isPlaceholderData
    }

    override fun hashCode(): Int {
        var h = status.hashCode()
        h = 31 * h + fetchStatus.hashCode()
        h = 31 * h + (data?.hashCode() ?: 0)
        h = 31 * h + dataUpdatedAt.hashCode()
        h = 31 * h + (error?.hashCode() ?: 0)
        h = 31 * h + failureCount
        h = 31 * h + isInvalidated.hashCode()
        return h
    }

    override fun toString(): String =
        "QueryState(status=$status, fetchStatus=$fetchStatus, data=$data, hasData=$hasData, " +
            "dataUpdatedAt=$dataUpdatedAt, error=$error, failureCount=$failureCount, " +
            "isInvalidated=$isInvalidated, isPlaceholderData=$isPlaceholderData)"

    public companion object {
        /** The state of a query that never fetched and has no data. */
        @JvmStatic
        public fun <T> idle(): QueryState<T> = QueryState(
            QueryStatus.IDLE, FetchStatus.IDLE, null, false, 0, 0, null, 0, null, false, false,
        )

        /** The state of a query that holds [data], written at [updatedAt] (epoch ms). */
        @JvmStatic
        public fun <T> success(data: T, updatedAt: Long): QueryState<T> =
            idle<T>().withData(data, updatedAt, FetchStatus.IDLE)
    }
}
