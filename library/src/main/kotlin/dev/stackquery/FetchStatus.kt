package dev.stackquery

/** Whether a query's function is running. See [QueryState.fetchStatus]. */
public enum class FetchStatus {
    /** No fetch is running. */
    IDLE,

    /** A fetch (possibly waiting between retry attempts) is running. */
    FETCHING,

    /** A fetch wants to run but is held back. Reserved: the core engine never pauses on its own. */
    PAUSED,
}
