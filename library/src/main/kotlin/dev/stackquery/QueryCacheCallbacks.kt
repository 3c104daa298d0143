package dev.stackquery

import java.util.function.BiConsumer

/**
 * Callbacks a client calls for every query it fetches, as TanStack's `QueryCache({ onSuccess,
 * onError, onSettled })`: the place for an "error relay" (a global toast, a log line, a metric)
 * instead of repeating it in every query's options. Set on [QueryClientConfig.queryCacheCallbacks].
 *
 * ```kotlin
 * val config = QueryClientConfig(queryCacheCallbacks = QueryCacheCallbacks(
 *     onError = { error, query -> toast(query.meta["errorMessage"] ?: "Could not load ${query.queryKey}") },
 * ))
 * ```
 *
 * They run when a fetch settles in the cache — [onSuccess] after a success, [onError] after the
 * last attempt failed — each followed by [onSettled], in this order around the query's own
 * callbacks: cache `onSuccess`/`onError`, the options' `onSuccess`/`onError`, cache `onSettled`,
 * the options' `onSettled`. A fetch that is cancelled, or that settles nothing because the query
 * was reset or removed meanwhile, calls none. They receive a [QuerySnapshot] of the query taken
 * just after it settled (its key, state and meta; another thread may have started a fetch since). They run on the client's dispatcher and must be fast; one
 * that throws is logged and changes nothing.
 */
public class QueryCacheCallbacks(
    /** Called with the data and the query after every successful fetch. */
    @get:JvmSynthetic public val onSuccess: ((data: Any?, query: QuerySnapshot) -> Unit)? = null,
    /** Called with the error and the query after every fetch that failed for good. */
    @get:JvmSynthetic public val onError: ((error: Throwable, query: QuerySnapshot) -> Unit)? = null,
    /** Called with the data (or `null`), the error (or `null`) and the query after either. */
    @get:JvmSynthetic public val onSettled: ((data: Any?, error: Throwable?, query: QuerySnapshot) -> Unit)? = null,
) {
    override fun toString(): String =
        "QueryCacheCallbacks(onSuccess=${onSuccess != null}, onError=${onError != null}, onSettled=${onSettled != null})"

    /** [onSettled] for Java: the data (or `null`), the error (or `null`) and the query. */
    public fun interface SettledCallback {
        /** See [QueryCacheCallbacks.onSettled]. */
        public fun onSettled(data: Any?, error: Throwable?, query: QuerySnapshot)
    }

    /** Builds [QueryCacheCallbacks] from Java. */
    public class Builder internal constructor() {
        private var onSuccess: ((Any?, QuerySnapshot) -> Unit)? = null
        private var onError: ((Throwable, QuerySnapshot) -> Unit)? = null
        private var onSettled: ((Any?, Throwable?, QuerySnapshot) -> Unit)? = null

        /** See [QueryCacheCallbacks.onSuccess]. */
        public fun onSuccess(callback: BiConsumer<Any?, QuerySnapshot>): Builder =
            apply { onSuccess = callback::accept }

        /** See [QueryCacheCallbacks.onError]. */
        public fun onError(callback: BiConsumer<Throwable, QuerySnapshot>): Builder =
            apply { onError = callback::accept }

        /** See [QueryCacheCallbacks.onSettled]. */
        public fun onSettled(callback: SettledCallback): Builder = apply { onSettled = callback::onSettled }

        /** The callbacks set so far. */
        public fun build(): QueryCacheCallbacks = QueryCacheCallbacks(onSuccess, onError, onSettled)
    }

    public companion object {
        /** No callbacks: the default of [QueryClientConfig.queryCacheCallbacks]. */
        @JvmField
        public val NONE: QueryCacheCallbacks = QueryCacheCallbacks()

        /** A [Builder] with no callback set, for Java. */
        @JvmStatic
        public fun builder(): Builder = Builder()
    }
}
