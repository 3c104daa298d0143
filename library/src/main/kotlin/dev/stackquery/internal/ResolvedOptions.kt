package dev.stackquery.internal

import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryOptions
import dev.stackquery.RetryPolicy

/**
 * [QueryOptions] resolved against a client's [QueryClientConfig]: every override that was `null`
 * replaced by the client default. Immutable; made on the slow paths (misses, stale reads, query
 * creation), never on the fresh-hit path.
 */
internal class ResolvedOptions<T>(
    val options: QueryOptions<T>,
    val staleTimeMillis: Long,
    val gcTimeMillis: Long,
    val retry: Int,
    val retryPolicy: RetryPolicy,
) {
    companion object {
        fun <T> resolve(options: QueryOptions<T>, config: QueryClientConfig): ResolvedOptions<T> = ResolvedOptions(
            options = options,
            staleTimeMillis = staleTimeMillis(options, config),
            gcTimeMillis = if (options.gcTimeMillis >= 0) options.gcTimeMillis else config.gcTimeMillis,
            retry = options.retry ?: config.retry,
            retryPolicy = options.retryPolicy ?: config.retryPolicy,
        )

        /** The stale time [options] ask for, without allocating (the fresh-hit path uses it). */
        fun staleTimeMillis(options: QueryOptions<*>, config: QueryClientConfig): Long =
            if (options.staleTimeMillis >= 0) options.staleTimeMillis else config.staleTimeMillis
    }
}
