package dev.stackquery

/** Whether an observer fetches when it becomes active. See [QueryOptions.refetchOnSubscribe]. */
public enum class RefetchOnSubscribe {
    /** Fetch if the query has no data or its data is stale (the default). */
    IF_STALE,

    /** Always fetch (joining a fetch already in flight), except a query with data and a [StaleTime.STATIC] stale time. */
    ALWAYS,

    /** Never fetch on subscribe; only polling, invalidation or explicit calls fetch. */
    NEVER,
}
