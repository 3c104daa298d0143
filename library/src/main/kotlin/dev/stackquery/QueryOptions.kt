package dev.stackquery

import dev.stackquery.future.AsyncQueryFunction
import dev.stackquery.future.AsyncQueryFunctionWithContext
import dev.stackquery.future.BlockingQueryFunction
import dev.stackquery.future.BlockingQueryFunctionWithContext
import dev.stackquery.internal.checkRetry
import dev.stackquery.internal.durationMillis
import dev.stackquery.storage.QueryCodec
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.future.await
import kotlinx.coroutines.runInterruptible
import java.util.EnumSet
import java.util.concurrent.Executor
import java.util.function.BiConsumer
import java.util.function.BinaryOperator
import java.util.function.Consumer
import kotlin.time.Duration
import kotlin.time.toKotlinDuration

/**
 * Everything a [QueryClient] needs to fetch and cache one query: its [queryKey], its [queryFn],
 * and optional overrides of the client's defaults.
 *
 * Options are immutable and never modified by the client. Each `null` override means "use the
 * client's default" ([QueryClientConfig]); an explicit value, even `0` or `3`, always wins. The
 * client resolves them into its own immutable copy each time it starts a fetch, so the latest
 * options given for a key (its latest `queryFn` included) are the ones a fetch uses.
 *
 * ```kotlin
 * val userOptions = QueryOptions(queryKey("user", 42), queryFn = { api.user(42) }, staleTime = 1.minutes)
 * ```
 *
 * @property queryKey the query's identity.
 * @property queryFn fetches the data. It runs in the client's scope, at most once at a time per
 *   key (callers share one run), and is cancelled by `cancelQueries`, `removeQueries`,
 *   `resetQueries`, `clear`, `close`, and `invalidateQueries` when it refetches an observed query.
 *   A function that ignores cancellation delays the next fetch of its key until it returns. It may
 *   return `null`; `null` is cached like any value. It reads its key, meta and client with
 *   [queryFunctionContext].
 * @property staleTime how long fetched data stays fresh; `null` uses [QueryClientConfig.staleTime].
 * @property gcTime how long the query stays in memory once inactive; `null` uses [QueryClientConfig.gcTime].
 *   A query keeps the longest gc time that any options used with it (by a fetch or an observer)
 *   asked for, as TanStack's do: an observer with a short one does not cut a fetch's long one short.
 * @property retry retries after a failed attempt; `null` uses [QueryClientConfig.retry].
 * @property retryPolicy backoff and retry predicate; `null` uses [QueryClientConfig.retryPolicy].
 * @property enabled `false` stops observers from fetching on their own: no fetch on subscribe, no
 *   polling, no refetch on invalidation; their state stays IDLE until data arrives by other means.
 *   `fetchQuery` always fetches when asked.
 * @property initialData data the query starts with when it is created, treated as real cached
 *   data (it is returned by `fetchQuery` while fresh). `null` means no initial data.
 * @property initialDataUpdatedAt when [initialData] was current, epoch ms; `null` means the
 *   moment the query is created. An old timestamp makes the initial data stale at once.
 * @property placeholderData data an observer shows, as SUCCESS with `isPlaceholderData = true`,
 *   while the query has no data and no error (and the observer is enabled or a fetch runs). It
 *   is never cached, never returned by `fetchQuery` and never persisted.
 * @property refetchInterval polling period while an enabled observer of the query is active;
 *   `null` for none. Must be positive. With several observers the shortest period wins.
 * @property refetchOnSubscribe whether an observer fetches when it becomes active (its first
 *   subscriber arrives): [RefetchOnSubscribe.IF_STALE] (default), `ALWAYS` or `NEVER`. Only for
 *   enabled observers.
 * @property keepPreviousData when an observer switches to these options' key and that query has
 *   no data yet, it keeps showing the data it showed before, marked `isPlaceholderData`.
 * @property onSuccess called once per successful fetch (not per caller) with the data.
 * @property onError called once per fetch that failed after all attempts, with the error.
 * @property onSettled called once per settled fetch with the data or the error.
 * @property meta free-form data for the application (logging, devtools); unused by the client.
 * @property codec how the persistent (L2) tier stores this query's data (see
 *   [QueryClientConfig.storage]); `null` keeps the query in memory only, even on a client with a
 *   storage. [queryOptions] picks a kotlinx.serialization codec by itself.
 * @property structuralSharing whether new data keeps the cached instances of its parts that are
 *   equal to the cached data ([StructuralSharing.replaceEqualDeep]; on by default): an equal
 *   refetch then keeps the cached instance, changes only `dataUpdatedAt` and the fetch status, and
 *   `select` does not run again. `false` always takes the new instance.
 * @property structuralSharingFunction replaces [StructuralSharing.replaceEqualDeep] with your own
 *   `(old, new) -> result` for the query's data (used while [structuralSharing] is true; an
 *   observer's `select` results are still shared with `replaceEqualDeep`). It runs outside every
 *   lock; if it throws, the failure is logged and the new data is kept as it came.
 * @property notifyOnChange the parts of the state an observer with these options publishes
 *   changes of ([QueryStateField]); `null` (default) for all. An observer that shows only data
 *   (`setOf(DATA)`) is then not woken by a background refetch. Its `state` (and `current`) holds
 *   the last state it published, so the untracked parts of it may be out of date; `refetch()`
 *   returns the whole state. Ignored outside observers.
 * @throws IllegalArgumentException naming the field, for a negative duration or retry, or a
 *   non-positive refetch interval.
 */
public class QueryOptions<T>(
    public val queryKey: QueryKey,
    @get:JvmSynthetic public val queryFn: suspend () -> T,
    @get:JvmSynthetic public val staleTime: Duration? = null,
    @get:JvmSynthetic public val gcTime: Duration? = null,
    public val retry: Int? = null,
    public val retryPolicy: RetryPolicy? = null,
    public val enabled: Boolean = true,
    public val initialData: T? = null,
    public val initialDataUpdatedAt: Long? = null,
    public val placeholderData: T? = null,
    @get:JvmSynthetic public val refetchInterval: Duration? = null,
    public val refetchOnSubscribe: RefetchOnSubscribe = RefetchOnSubscribe.IF_STALE,
    public val keepPreviousData: Boolean = false,
    @get:JvmSynthetic public val onSuccess: ((T) -> Unit)? = null,
    @get:JvmSynthetic public val onError: ((Throwable) -> Unit)? = null,
    @get:JvmSynthetic public val onSettled: ((T?, Throwable?) -> Unit)? = null,
    public val meta: Map<String, Any?> = emptyMap(),
    public val codec: QueryCodec<T>? = null,
    public val structuralSharing: Boolean = true,
    @get:JvmSynthetic public val structuralSharingFunction: ((old: T, new: T) -> T)? = null,
    public val notifyOnChange: Set<QueryStateField>? = null,
) {
    /** [staleTime] in ms, or -1 for "client default"; precomputed for the fresh-hit path. */
    internal val staleTimeMillis: Long = staleTime?.let { durationMillis(it, "staleTime") } ?: -1L
    internal val gcTimeMillis: Long = gcTime?.let { durationMillis(it, "gcTime") } ?: -1L

    /** [notifyOnChange] as an array, read on every observer publication. */
    internal val trackedFields: Array<QueryStateField>? = notifyOnChange?.toTypedArray()

    init {
        require(notifyOnChange == null || notifyOnChange.isNotEmpty()) {
            "notifyOnChange must name at least one field (null tracks all), was empty"
        }
        retry?.let(::checkRetry)
        require(refetchInterval == null || refetchInterval.isPositive()) {
            "refetchInterval must be positive, was $refetchInterval"
        }
    }

    /** [new] shared with [old] as these options say; may throw what a custom function throws. */
    internal fun share(old: T, new: T): T {
        if (!structuralSharing) return new
        val custom = structuralSharingFunction ?: return StructuralSharing.replaceEqualDeep(old, new)
        return custom(old, new)
    }

    override fun toString(): String =
        "QueryOptions(queryKey=$queryKey, staleTime=$staleTime, gcTime=$gcTime, retry=$retry, enabled=$enabled)"

    /**
     * Builds [QueryOptions] from Java. Setters validate eagerly (naming the field) and return the
     * builder; unset overrides fall back to the client's defaults.
     *
     * ```java
     * QueryOptions<User> opts = QueryOptions.<User>builder(QueryKey.of("user", 42), () -> api.userAsync(42))
     *     .staleTime(Duration.ofMinutes(1))
     *     .build();
     * ```
     */
    public class Builder<T> internal constructor(
        private val queryKey: QueryKey,
        private val queryFn: suspend () -> T,
    ) {
        private var staleTime: Duration? = null
        private var gcTime: Duration? = null
        private var retry: Int? = null
        private var retryPolicy: RetryPolicy? = null
        private var enabled = true
        private var initialData: T? = null
        private var initialDataUpdatedAt: Long? = null
        private var placeholderData: T? = null
        private var refetchInterval: Duration? = null
        private var refetchOnSubscribe = RefetchOnSubscribe.IF_STALE
        private var keepPreviousData = false
        private var onSuccess: ((T) -> Unit)? = null
        private var onError: ((Throwable) -> Unit)? = null
        private var onSettled: ((T?, Throwable?) -> Unit)? = null
        private var meta: Map<String, Any?> = emptyMap()
        private var codec: QueryCodec<T>? = null
        private var structuralSharing = true
        private var structuralSharingFunction: ((T, T) -> T)? = null
        private var notifyOnChange: Set<QueryStateField>? = null

        /** See [QueryOptions.staleTime]. */
        public fun staleTime(staleTime: java.time.Duration): Builder<T> = apply {
            this.staleTime = staleTime.toKotlinDuration().also { durationMillis(it, "staleTime") }
        }

        /** See [QueryOptions.gcTime]. */
        public fun gcTime(gcTime: java.time.Duration): Builder<T> = apply {
            this.gcTime = gcTime.toKotlinDuration().also { durationMillis(it, "gcTime") }
        }

        /** See [QueryOptions.retry]. */
        public fun retry(retry: Int): Builder<T> = apply {
            this.retry = checkRetry(retry)
        }

        /** See [QueryOptions.retryPolicy]. */
        public fun retryPolicy(retryPolicy: RetryPolicy): Builder<T> = apply { this.retryPolicy = retryPolicy }

        /** See [QueryOptions.enabled]. */
        public fun enabled(enabled: Boolean): Builder<T> = apply { this.enabled = enabled }

        /** See [QueryOptions.initialData]. */
        public fun initialData(initialData: T): Builder<T> = apply { this.initialData = initialData }

        /** See [QueryOptions.initialDataUpdatedAt] (epoch ms). */
        public fun initialDataUpdatedAt(epochMillis: Long): Builder<T> = apply { initialDataUpdatedAt = epochMillis }

        /** See [QueryOptions.placeholderData]. */
        public fun placeholderData(placeholderData: T): Builder<T> = apply { this.placeholderData = placeholderData }

        /** See [QueryOptions.refetchInterval]. */
        public fun refetchInterval(interval: java.time.Duration): Builder<T> = apply {
            require(!interval.isNegative && !interval.isZero) { "refetchInterval must be positive, was $interval" }
            refetchInterval = interval.toKotlinDuration()
        }

        /** See [QueryOptions.refetchOnSubscribe]. */
        public fun refetchOnSubscribe(mode: RefetchOnSubscribe): Builder<T> = apply { refetchOnSubscribe = mode }

        /** See [QueryOptions.keepPreviousData]. */
        public fun keepPreviousData(keep: Boolean): Builder<T> = apply { keepPreviousData = keep }

        /** See [QueryOptions.onSuccess]. */
        public fun onSuccess(callback: Consumer<T>): Builder<T> = apply { onSuccess = callback::accept }

        /** See [QueryOptions.onError]. */
        public fun onError(callback: Consumer<Throwable>): Builder<T> = apply { onError = callback::accept }

        /** See [QueryOptions.onSettled]: called with the data (or `null`) and the error (or `null`). */
        public fun onSettled(callback: BiConsumer<T?, Throwable?>): Builder<T> = apply { onSettled = callback::accept }

        /** See [QueryOptions.meta]; copied. */
        public fun meta(meta: Map<String, Any?>): Builder<T> = apply { this.meta = meta.toMap() }

        /** See [QueryOptions.codec]. */
        public fun codec(codec: QueryCodec<T>): Builder<T> = apply { this.codec = codec }

        /** See [QueryOptions.structuralSharing]; `false` also drops a function set before. */
        public fun structuralSharing(enabled: Boolean): Builder<T> = apply {
            structuralSharing = enabled
            if (!enabled) structuralSharingFunction = null
        }

        /** See [QueryOptions.structuralSharingFunction]: `(old, new) -> result`; turns sharing on. */
        public fun structuralSharing(function: BinaryOperator<T>): Builder<T> = apply {
            structuralSharing = true
            structuralSharingFunction = function::apply
        }

        /** See [QueryOptions.notifyOnChange]; at least one field. */
        public fun notifyOnChange(first: QueryStateField, vararg more: QueryStateField): Builder<T> = apply {
            notifyOnChange = EnumSet.of(first, *more)
        }

        /** The options set so far. */
        public fun build(): QueryOptions<T> = QueryOptions(
            queryKey, queryFn, staleTime, gcTime, retry, retryPolicy, enabled, initialData, initialDataUpdatedAt,
            placeholderData, refetchInterval, refetchOnSubscribe, keepPreviousData, onSuccess, onError, onSettled, meta,
            codec, structuralSharing, structuralSharingFunction, notifyOnChange,
        )
    }

    public companion object {
        /**
         * A [Builder] for a query whose function returns a [java.util.concurrent.CompletionStage]
         * (an async HTTP client, say). Cancelling the fetch cancels the stage's future.
         */
        @JvmStatic
        public fun <T> builder(queryKey: QueryKey, queryFn: AsyncQueryFunction<T>): Builder<T> =
            Builder(queryKey) { queryFn.fetch().await() }

        /**
         * A [Builder] for a query whose function blocks (JDBC, a blocking HTTP client): it runs on
         * [executor], never on the client's threads, and is interrupted when the fetch is cancelled.
         */
        @JvmStatic
        public fun <T> builder(queryKey: QueryKey, queryFn: BlockingQueryFunction<T>, executor: Executor): Builder<T> {
            val dispatcher = executor.asCoroutineDispatcher()
            return Builder(queryKey) { runInterruptible(dispatcher) { queryFn.fetch() } }
        }

        /** Like `builder(queryKey, AsyncQueryFunction)`, for a function that reads its [QueryFunctionContext]. */
        @JvmStatic
        public fun <T> builder(queryKey: QueryKey, queryFn: AsyncQueryFunctionWithContext<T>): Builder<T> =
            Builder(queryKey) { queryFn.fetch(queryFunctionContext()).await() }

        /** Like `builder(queryKey, BlockingQueryFunction, executor)`, for a function that reads its [QueryFunctionContext]. */
        @JvmStatic
        public fun <T> builder(
            queryKey: QueryKey,
            queryFn: BlockingQueryFunctionWithContext<T>,
            executor: Executor,
        ): Builder<T> {
            val dispatcher = executor.asCoroutineDispatcher()
            return Builder(queryKey) {
                val context = queryFunctionContext()
                runInterruptible(dispatcher) { queryFn.fetch(context) }
            }
        }
    }
}
