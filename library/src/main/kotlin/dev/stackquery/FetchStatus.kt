package dev.stackquery

/** Whether a query's function is running. See [QueryState.fetchStatus]. */
public enum class FetchStatus {
    /** No fetch is running. */
    IDLE,

    /** A fetch (possibly waiting out the delay between retry attempts) is running. */
    FETCHING,

    /**
     * A fetch is in flight but waits, its query function not running: for the network before an
     * attempt ([NetworkMode]), or for the application's focus before a retry ([FocusManager]). It
     * becomes [FETCHING] when it continues. A paused query is neither `isFetching` nor `isLoading`.
     */
    PAUSED,
}
