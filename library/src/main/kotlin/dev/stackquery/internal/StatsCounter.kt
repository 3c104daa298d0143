package dev.stackquery.internal

import dev.stackquery.FetchReason
import dev.stackquery.QueryStats
import java.util.EnumMap
import java.util.concurrent.atomic.LongAdder

/** The live counters behind [dev.stackquery.QueryClient.stats]: striped, so hot paths never contend. */
internal class StatsCounter {
    val hits = LongAdder()
    val staleHits = LongAdder()
    val misses = LongAdder()
    val fetches = LongAdder()
    val fetchFailures = LongAdder()
    val dedupJoins = LongAdder()
    val retries = LongAdder()
    val evictions = LongAdder()
    val gcRemovals = LongAdder()

    /** Fetches started, by [FetchReason] ordinal. */
    val fetchesStarted = Array(FetchReason.entries.size) { LongAdder() }

    fun snapshot(): QueryStats = QueryStats(
        hits = hits.sum(),
        staleHits = staleHits.sum(),
        misses = misses.sum(),
        fetches = fetches.sum(),
        fetchFailures = fetchFailures.sum(),
        dedupJoins = dedupJoins.sum(),
        retries = retries.sum(),
        evictions = evictions.sum(),
        gcRemovals = gcRemovals.sum(),
        fetchesByReason = FetchReason.entries.associateWithTo(EnumMap(FetchReason::class.java)) {
            fetchesStarted[it.ordinal].sum()
        },
    )
}
