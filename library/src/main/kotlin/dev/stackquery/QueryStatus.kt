package dev.stackquery

/** What a query knows about its data. See [QueryState.status]. */
public enum class QueryStatus {
    /** Never fetched and no data: a new or reset query. */
    IDLE,

    /** The first fetch is running and there is no data yet. */
    PENDING,

    /** The query has data (from a fetch, [QueryClient.setQueryData] or initial data). */
    SUCCESS,

    /** The last fetch failed after all its attempts; [QueryState.error] says why. Data, if any, is kept. */
    ERROR,
}
