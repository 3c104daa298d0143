package dev.stackquery

/**
 * Whether an event refetches a query: an observer subscribing ([QueryOptions.refetchOnSubscribe]),
 * the application regaining focus ([QueryOptions.refetchOnFocus]) or the network coming back
 * ([QueryOptions.refetchOnReconnect]). Focus and reconnect refetch active queries only (those
 * with an enabled observer), and never a query whose stale time is [StaleTime.STATIC].
 */
public enum class RefetchTrigger {
    /** Fetch if the query has no data or its data is stale (the default). */
    IF_STALE,

    /**
     * Always fetch (joining a fetch already in flight), except a query with data and a
     * [StaleTime.STATIC] stale time.
     */
    ALWAYS,

    /** Never fetch on this event. */
    NEVER,
}
