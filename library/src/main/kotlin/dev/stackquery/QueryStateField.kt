package dev.stackquery

/**
 * The parts of a [QueryState] an observer can track with [QueryOptions.notifyOnChange]: it
 * publishes a new state only when one of the tracked parts changed.
 */
public enum class QueryStateField {
    /** [QueryState.data] and [QueryState.hasData] (compared with `equals`). */
    DATA,

    /** [QueryState.status]. */
    STATUS,

    /** [QueryState.fetchStatus]. */
    FETCH_STATUS,

    /** [QueryState.error]. */
    ERROR,

    /** [QueryState.dataUpdatedAt], [QueryState.dataUpdateCount] and [QueryState.isFetchedAfterMount]. */
    DATA_UPDATED_AT,

    /** [QueryState.errorUpdatedAt], [QueryState.errorUpdateCount] and [QueryState.isFetchedAfterMount]. */
    ERROR_UPDATED_AT,

    /** [QueryState.failureCount] and [QueryState.failureReason]. */
    FAILURE,

    /** [QueryState.isInvalidated]. */
    INVALIDATED,

    /** [QueryState.isPlaceholderData]. */
    PLACEHOLDER,

    /** [QueryState.isStale]. */
    STALE,
    ;

    /**
     * Whether this part differs between [a] and [b], taking [b]'s `isStale` and
     * `isFetchedAfterMount` to be [bStale] and [bFetchedAfterMount] (an observer compares before
     * it stamps its own flags on a state).
     */
    internal fun changed(a: QueryState<*>, b: QueryState<*>, bStale: Boolean, bFetchedAfterMount: Boolean): Boolean =
        when (this) {
            DATA -> a.hasData != b.hasData || a.data != b.data
            STATUS -> a.status != b.status
            FETCH_STATUS -> a.fetchStatus != b.fetchStatus
            ERROR -> a.error != b.error
            DATA_UPDATED_AT ->
                a.dataUpdatedAt != b.dataUpdatedAt || a.dataUpdateCount != b.dataUpdateCount ||
                    a.isFetchedAfterMount != bFetchedAfterMount
            ERROR_UPDATED_AT ->
                a.errorUpdatedAt != b.errorUpdatedAt || a.errorUpdateCount != b.errorUpdateCount ||
                    a.isFetchedAfterMount != bFetchedAfterMount
            FAILURE -> a.failureCount != b.failureCount || a.failureReason != b.failureReason
            INVALIDATED -> a.isInvalidated != b.isInvalidated
            PLACEHOLDER -> a.isPlaceholderData != b.isPlaceholderData
            STALE -> a.isStale != bStale
        }
}
