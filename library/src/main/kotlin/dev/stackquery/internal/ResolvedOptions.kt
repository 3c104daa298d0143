package dev.stackquery.internal

import dev.stackquery.NetworkMode
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryKey
import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import dev.stackquery.QueryView
import dev.stackquery.RefetchTrigger
import dev.stackquery.RetryPolicy
import dev.stackquery.internal.client.ClientRuntime

/**
 * [QueryOptions] resolved against a client's [QueryClientConfig]: every override that was `null`
 * replaced by the client default. Immutable; made on the slow paths (misses, stale reads, query
 * creation), never on the fresh-hit path. The options given are already merged with the client's
 * defaults by prefix (see `ClientEngine.withDefaults`).
 */
internal class ResolvedOptions<T>(
    val options: QueryOptions<T>,
    /** The constant stale time; a [QueryOptions.staleTimeFunction] that is not constant decides instead ([staleTimeFor]). */
    val staleTimeMillis: Long,
    val gcTimeMillis: Long,
    val retry: Int,
    val retryPolicy: RetryPolicy,
    val networkMode: NetworkMode,
    val refetchOnFocus: RefetchTrigger,
    val refetchOnReconnect: RefetchTrigger,
    /** Whether polling goes on while the application is not focused. */
    val pollsInBackground: Boolean,
) {
    /** The stale time for the query of [key] in [state]: the function's answer, or the constant. */
    fun staleTimeFor(key: QueryKey, state: QueryState<T>, runtime: ClientRuntime): Long {
        val function = options.dynamicStaleTime ?: return staleTimeMillis
        return evaluate(function, key, state, runtime)
    }

    companion object {
        fun <T> resolve(options: QueryOptions<T>, config: QueryClientConfig): ResolvedOptions<T> = ResolvedOptions(
            options = options,
            staleTimeMillis = staleTimeMillis(options, config),
            gcTimeMillis = if (options.gcTimeMillis >= 0) options.gcTimeMillis else config.gcTimeMillis,
            retry = options.retry ?: config.retry,
            retryPolicy = options.retryPolicy ?: config.retryPolicy,
            networkMode = options.networkMode ?: config.networkMode,
            refetchOnFocus = options.refetchOnFocus ?: config.refetchOnFocus,
            refetchOnReconnect = options.refetchOnReconnect ?: config.refetchOnReconnect,
            pollsInBackground = options.refetchIntervalInBackground ?: config.refetchIntervalInBackground,
        )

        /** The constant stale time [options] ask for, without allocating (the fresh-hit path uses it). */
        fun staleTimeMillis(options: QueryOptions<*>, config: QueryClientConfig): Long =
            if (options.staleTimeMillis >= 0 || options.staleTimeMillis == STATIC_STALE_TIME) {
                options.staleTimeMillis
            } else {
                config.staleTimeMillis
            }

        /**
         * The stale time [options] ask for the query of [key] in [state]: the constant, without
         * allocating, unless a stale-time function decides.
         */
        fun <T> staleTimeMillis(
            options: QueryOptions<T>,
            config: QueryClientConfig,
            key: QueryKey,
            state: QueryState<T>,
            runtime: ClientRuntime,
        ): Long {
            val function = options.dynamicStaleTime ?: return staleTimeMillis(options, config)
            return evaluate(function, key, state, runtime)
        }

        /** Calls a stale-time function; one that throws is logged and makes the data stale (0 ms). */
        private fun <T> evaluate(
            function: (QueryView<T>) -> dev.stackquery.StaleTime,
            key: QueryKey,
            state: QueryState<T>,
            runtime: ClientRuntime,
        ): Long = try {
            function(QueryView(key, state)).millis
        } catch (e: Exception) {
            runtime.logFailure("the staleTime function of $key", e)
            0L
        }
    }
}
