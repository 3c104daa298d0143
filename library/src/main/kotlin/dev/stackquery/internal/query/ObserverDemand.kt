package dev.stackquery.internal.query

import dev.stackquery.QueryOptions
import dev.stackquery.internal.ResolvedOptions

/**
 * What one attached observer asks of its query, pushed with [Query.addObserver] and
 * [Query.updateDemand] (the query never reads an observer's fields): the options its fetches use
 * (`null`: leave the query's as they are), whether it lets the query fetch on its own
 * (invalidation, `refetchQueries`), and the polling period it wants (ms, 0 for none).
 */
internal class ObserverDemand<T>(
    val options: ResolvedOptions<T>?,
    val enabled: Boolean,
    val pollIntervalMillis: Long,
) {
    companion object {
        /** The demand of an observer with [options]: a disabled observer never polls. */
        fun <T> of(options: QueryOptions<T>, resolved: ResolvedOptions<T>): ObserverDemand<T> = ObserverDemand(
            resolved,
            options.enabled,
            if (!options.enabled) 0 else options.refetchInterval?.inWholeMilliseconds?.coerceAtLeast(1) ?: 0,
        )
    }
}
