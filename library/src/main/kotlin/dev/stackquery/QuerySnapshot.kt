package dev.stackquery

/**
 * A read-only picture of one cached query, taken at one instant by [QueryClient.queries]: what
 * an inspector, a log line or a test wants to know about it. It holds no reference to the query:
 * it does not keep it alive or change as the query does.
 */
public class QuerySnapshot internal constructor(
    /** The query's key. */
    public val queryKey: QueryKey,
    /** Its state at the instant of the snapshot. */
    public val state: QueryState<*>,
    /** How many observers are attached (observers with at least one subscriber). */
    public val observerCount: Int,
    /** Whether the query has a query function to refetch with (false for one made by `setQueryData`). */
    @get:JvmName("hasQueryFunction")
    public val hasQueryFunction: Boolean,
    /** Whether an attached observer is enabled, or, with none, its latest options (false for one made by `setQueryData`). */
    public val enabled: Boolean,
    /** The stale time its latest options ask for now (a stale-time function answered for its state). */
    public val staleTime: StaleTime,
    /** The gc time it keeps, the longest any of its options asked for, in ms (`Long.MAX_VALUE`: never). */
    public val gcTimeMillis: Long,
    /**
     * When the query will be removed as garbage (epoch ms of the client's clock), or `null` while
     * it is observed or fetching, or when its gc time is infinite.
     */
    public val gcDeadline: Long?,
    /** Whether its latest options persist it to the L2 tier (they have a codec). */
    public val isPersisted: Boolean,
    /** The [QueryOptions.meta] of its latest options (empty for one made by `setQueryData`). */
    public val meta: Map<String, Any?>,
    /** Why its latest fetch started, or `null` if it never fetched. */
    public val lastFetchReason: FetchReason?,
    /** When it was last read or written (epoch ms of the client's clock). */
    public val lastAccessedAt: Long,
) {
    /** Whether an observer is attached: active queries are refetched by invalidation and never collected. */
    public val isActive: Boolean get() = observerCount > 0

    override fun toString(): String =
        "QuerySnapshot(queryKey=$queryKey, status=${state.status}, fetchStatus=${state.fetchStatus}, " +
            "observers=$observerCount, stale=${state.isStale}, gcDeadline=$gcDeadline, " +
            "lastFetchReason=$lastFetchReason)"
}
