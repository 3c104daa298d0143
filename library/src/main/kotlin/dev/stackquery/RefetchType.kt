package dev.stackquery

/**
 * Which of the queries an invalidation marked are refetched at once, as TanStack's
 * `refetchType` option of `invalidateQueries`. Whatever the choice, every matched query is marked
 * invalidated, so the ones not refetched now refetch on their next use.
 */
public enum class RefetchType {
    /** The observed ones (the default): what a screen shows is brought up to date. */
    ACTIVE,

    /** Only the ones no observer watches: warms the cache behind the screen. */
    INACTIVE,

    /** Every matched query that has a query function and is enabled. */
    ALL,

    /** None: the queries are only marked. */
    NONE,
}
