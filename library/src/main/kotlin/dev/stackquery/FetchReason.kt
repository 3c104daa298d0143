package dev.stackquery

/**
 * Why a fetch of a query started, as told by [QueryCacheEvent.FetchStarted] and
 * [QuerySnapshot.lastFetchReason]: for logs, metrics and devtools that explain a refetch. A fetch
 * that several callers share has the reason of the one that started it.
 */
public enum class FetchReason {
    /** `fetchQuery` or `ensureQueryData` found no data, or stale data to revalidate. */
    FETCH,

    /** `prefetchQuery` found no fresh data. */
    PREFETCH,

    /** An observer attached (its first subscriber) and its `refetchOnSubscribe` asked for it. */
    OBSERVER_ATTACHED,

    /** An observer's `refetch()`. */
    OBSERVER_REFETCH,

    /** An observer's `refetchInterval` elapsed. */
    POLL,

    /** `invalidateQueries` refetched the query. */
    INVALIDATE,

    /** `refetchQueries`. */
    REFETCH,

    /** `resetQueries` refetched the query. */
    RESET,

    /** Another instance's invalidation or reset, received through [QueryClientConfig.sync]. */
    SYNC,

    /** The application regained focus and the query's [QueryOptions.refetchOnFocus] asked for it. */
    FOCUS,

    /** The network came back and the query's [QueryOptions.refetchOnReconnect] asked for it. */
    RECONNECT,

    /** An infinite query's observer loads its next page ([InfiniteQueryObserver.fetchNextPage]). */
    FETCH_NEXT_PAGE,

    /** An infinite query's observer loads its previous page ([InfiniteQueryObserver.fetchPreviousPage]). */
    FETCH_PREVIOUS_PAGE,
}
