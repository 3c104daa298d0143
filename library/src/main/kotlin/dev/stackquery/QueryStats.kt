package dev.stackquery

import java.util.EnumMap

/**
 * An immutable snapshot of a [QueryClient]'s counters since it was created, from
 * [QueryClient.stats]. Counters only grow; subtract two snapshots ([minus]) to measure an interval.
 *
 * @property hits `fetchQuery` calls served fresh data from memory.
 * @property staleHits `fetchQuery` calls served stale data from memory (each also asked for a
 *   background refetch, deduplicated with any fetch in flight).
 * @property misses `fetchQuery` calls that found no data and waited for a fetch.
 * @property fetches query function executions started (attempts after the first are [retries]).
 * @property fetchFailures fetches that failed after all their attempts.
 * @property dedupJoins fetch requests that joined a fetch already in flight instead of starting one.
 * @property retries attempts made after a failed attempt.
 * @property evictions queries removed because the cache exceeded `cacheMaxSize`.
 * @property gcRemovals inactive queries removed after their `gcTime`.
 * @property fetchesByReason fetches started, by why they started ([FetchReason]: a subscribe,
 *   polling, an invalidation, focus, reconnection, an explicit call…), every reason present
 *   (zero when none); a fetch joined by others counts once, with the reason that started it. A
 *   fetch started while offline counts when it starts, whether it later runs or is dropped.
 *   Attempts after a failure are [retries].
 */
public class QueryStats(
    public val hits: Long,
    public val staleHits: Long,
    public val misses: Long,
    public val fetches: Long,
    public val fetchFailures: Long,
    public val dedupJoins: Long,
    public val retries: Long,
    public val evictions: Long,
    public val gcRemovals: Long,
    public val fetchesByReason: Map<FetchReason, Long> = emptyMap(),
) {
    /** The fraction of `fetchQuery` calls answered from memory (fresh or stale); 1.0 when there were none. */
    public val hitRate: Double
        get() {
            val total = hits + staleHits + misses
            return if (total == 0L) 1.0 else (hits + staleHits).toDouble() / total
        }

    /** The counts that happened between [other] (an earlier snapshot) and this one. */
    public operator fun minus(other: QueryStats): QueryStats = QueryStats(
        hits - other.hits, staleHits - other.staleHits, misses - other.misses, fetches - other.fetches,
        fetchFailures - other.fetchFailures, dedupJoins - other.dedupJoins, retries - other.retries,
        evictions - other.evictions, gcRemovals - other.gcRemovals,
        fetchesByReason.mapValuesTo(EnumMap(FetchReason::class.java)) { (reason, count) ->
            count - (other.fetchesByReason[reason] ?: 0)
        },
    )

    private fun counts(): LongArray =
        longArrayOf(hits, staleHits, misses, fetches, fetchFailures, dedupJoins, retries, evictions, gcRemovals)

    override fun equals(other: Any?): Boolean =
        other is QueryStats && counts().contentEquals(other.counts()) && fetchesByReason == other.fetchesByReason

    override fun hashCode(): Int = counts().contentHashCode() * 31 + fetchesByReason.hashCode()

    override fun toString(): String =
        "QueryStats(hits=$hits, staleHits=$staleHits, misses=$misses, fetches=$fetches, " +
            "fetchFailures=$fetchFailures, dedupJoins=$dedupJoins, retries=$retries, " +
            "evictions=$evictions, gcRemovals=$gcRemovals, fetchesByReason=$fetchesByReason)"
}
