package dev.stackquery

import dev.stackquery.future.AsyncQueryFunction
import dev.stackquery.future.AsyncQueryFunctionWithContext
import dev.stackquery.future.BlockingQueryFunction
import dev.stackquery.future.BlockingQueryFunctionWithContext
import dev.stackquery.internal.MergedOptions
import dev.stackquery.internal.checkRefetchInterval
import dev.stackquery.internal.checkRetry
import dev.stackquery.internal.durationMillis
import dev.stackquery.storage.QueryCodec
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.future.await
import kotlinx.coroutines.runInterruptible
import java.util.EnumSet
import java.util.concurrent.Executor
import java.util.function.BiConsumer
import java.util.function.BiFunction
import java.util.function.BinaryOperator
import java.util.function.Consumer
import java.util.function.Function
import java.util.function.Predicate
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration

/**
 * Everything a [QueryClient] needs to fetch and cache one query: its [queryKey], its [queryFn],
 * and optional overrides of the client's defaults.
 *
 * Options are immutable and never modified by the client. Each `null` override means "unset":
 * the client takes the value of its defaults for the key's prefixes
 * ([QueryClient.setQueryDefaults]), else its config's ([QueryClientConfig]), else the documented
 * default; an explicit value, even `0` or `3`, always wins. The
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
 * @property staleTime how long fetched data stays fresh; `null` uses the matching
 *   [QueryClient.setQueryDefaults] value, else [QueryClientConfig.staleTime].
 * @property gcTime how long the query stays in memory once inactive; `null` uses [QueryClientConfig.gcTime].
 *   A query keeps the longest gc time that any options used with it (by a fetch or an observer)
 *   asked for, as TanStack's do: an observer with a short one does not cut a fetch's long one short.
 * @property retry retries after a failed attempt; `null` uses [QueryClientConfig.retry].
 * @property retryPolicy backoff and retry predicate; `null` uses [QueryClientConfig.retryPolicy].
 * @property initialData data the query starts with when it is created, treated as real cached
 *   data (it is returned by `fetchQuery` while fresh). `null` means no initial data.
 * @property initialDataUpdatedAt when [initialData] was current, epoch ms; `null` means the
 *   moment the query is created. An old timestamp makes the initial data stale at once.
 * @property placeholderData data an observer shows, as SUCCESS with `isPlaceholderData = true`,
 *   while the query has no data and no error (and the observer is enabled or a fetch runs). It
 *   is never cached, never returned by `fetchQuery` and never persisted.
 * @property refetchInterval polling period while an enabled observer of the query is active;
 *   `null` for none. Must be positive. With several observers the shortest period wins.
 * @property keepPreviousData when an observer switches to these options' key and that query has
 *   no data yet, it keeps showing the data it showed before, marked `isPlaceholderData`.
 * @property onSuccess called once per successful fetch (not per caller) with the data.
 * @property onError called once per fetch that failed after all attempts, with the error.
 * @property onSettled called once per settled fetch with the data or the error.
 * @property codec how the persistent (L2) tier stores this query's data (see
 *   [QueryClientConfig.storage]); `null` keeps the query in memory only, even on a client with a
 *   storage. [queryOptions] picks a kotlinx.serialization codec by itself.
 * @property structuralSharingFunction replaces [StructuralSharing.replaceEqualDeep] with your own
 *   `(old, new) -> result` for the query's data (used while [structuralSharing] is true; an
 *   observer's `select` results are still shared with `replaceEqualDeep`). It runs outside every
 *   lock; if it throws, the failure is logged and the new data is kept as it came.
 * @property notifyOnChange the parts of the state an observer with these options publishes
 *   changes of ([QueryStateField]); `null` (default) for all. An observer that shows only data
 *   (`setOf(DATA)`) is then not woken by a background refetch. Its `state` (and `current`) holds
 *   the last state it published, so the untracked parts of it may be out of date; `refetch()`
 *   returns the whole state. Ignored outside observers.
 * @property staleTimeFunction the stale time as a function of the query (TanStack's
 *   `staleTime: (query) => …`), called whenever the query's staleness is checked (a read, an
 *   observer's publication, its stale timer, a `stale` filter), with the query's key and current
 *   state; it wins over [staleTime]. It may answer [StaleTime.STATIC]. It runs under the query's
 *   lock: it must be fast and pure, and must not call the client at all (not even a read such as
 *   `getQueryState` or `queries`, which can recurse or deadlock against another query's lock). If
 *   it throws, the failure is logged and the data counts as stale. [StaleTime.always] makes a constant one (free to read).
 * @property enabledFunction `enabled` as a function of the query, called with its key and current
 *   state each time an observer decides whether it may fetch, poll, count as stale or show its
 *   placeholder; it wins over [enabled]. Same locking rule as [staleTimeFunction]. If it throws, the
 *   failure is logged and it counts as `false`.
 * @property refetchIntervalFunction the polling period as a function of the query, evaluated when
 *   an observer attaches or changes options and again after every change of the query's state
 *   (each fetch that settles included); `null`, zero or negative stops polling until a later
 *   evaluation answers a positive period. It wins over [refetchInterval]. If it throws, the
 *   failure is logged and polling stops. Same locking rule as [staleTimeFunction].
 * @property placeholderDataFunction the placeholder as a function of the previous data and the
 *   previous query (TanStack's `placeholderData: (previousData, previousQuery) => …`): the raw data
 *   of the last query this observer showed with data before it switched keys, and a snapshot of
 *   that query (both `null` when there is none). Its result is shown as [placeholderData] would be
 *   (a `null` result shows no placeholder); it wins over [placeholderData]. It runs again only
 *   when the previous query changes. `keepPreviousData = true` is the same as
 *   `{ previous, _ -> previous }`, except that it keeps the shown (selected) data.
 * @property networkMode how the query's fetches treat the network ([NetworkMode]); `null` uses the
 *   matching [QueryClient.setQueryDefaults] value, else [QueryClientConfig.networkMode].
 * @property refetchOnFocus whether the application regaining focus ([FocusManager]) refetches the
 *   query while an enabled observer of it is active ([RefetchTrigger]); `null` uses the matching
 *   defaults, else [QueryClientConfig.refetchOnFocus] (`IF_STALE`). With several observers, the
 *   query refetches if any of them asks.
 * @property refetchOnReconnect the same for the network coming back ([OnlineManager]); `null`
 *   uses the matching defaults, else [QueryClientConfig.refetchOnReconnect] (`IF_STALE`).
 * @property refetchIntervalInBackground whether [refetchInterval] polling goes on while the
 *   application is not focused; `null` uses the matching defaults, else
 *   [QueryClientConfig.refetchIntervalInBackground] (`false`: polling stops while unfocused and
 *   polls at once when focus comes back). With several observers, one that asks keeps it going.
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
    enabled: Boolean? = null,
    public val initialData: T? = null,
    public val initialDataUpdatedAt: Long? = null,
    public val placeholderData: T? = null,
    @get:JvmSynthetic public val refetchInterval: Duration? = null,
    refetchOnSubscribe: RefetchTrigger? = null,
    public val keepPreviousData: Boolean = false,
    @get:JvmSynthetic public val onSuccess: ((T) -> Unit)? = null,
    @get:JvmSynthetic public val onError: ((Throwable) -> Unit)? = null,
    @get:JvmSynthetic public val onSettled: ((T?, Throwable?) -> Unit)? = null,
    meta: Map<String, Any?>? = null,
    public val codec: QueryCodec<T>? = null,
    structuralSharing: Boolean? = null,
    @get:JvmSynthetic public val structuralSharingFunction: ((old: T, new: T) -> T)? = null,
    public val notifyOnChange: Set<QueryStateField>? = null,
    @get:JvmSynthetic public val staleTimeFunction: ((QueryView<T>) -> StaleTime)? = null,
    @get:JvmSynthetic public val enabledFunction: ((QueryView<T>) -> Boolean)? = null,
    @get:JvmSynthetic public val refetchIntervalFunction: ((QueryView<T>) -> Duration?)? = null,
    @get:JvmSynthetic public val placeholderDataFunction:
    ((previousData: T?, previousQuery: QueryView<T>?) -> T?)? = null,
    public val networkMode: NetworkMode? = null,
    public val refetchOnFocus: RefetchTrigger? = null,
    public val refetchOnReconnect: RefetchTrigger? = null,
    public val refetchIntervalInBackground: Boolean? = null,
) {
    /** `enabled` as given; `null` when unset (defaults by prefix may then give it). */
    internal val enabledOrNull: Boolean? = enabled

    /** `refetchOnSubscribe` as given; `null` when unset. */
    internal val refetchOnSubscribeOrNull: RefetchTrigger? = refetchOnSubscribe

    /** `meta` as given; `null` when unset. */
    internal val metaOrNull: Map<String, Any?>? = meta

    /** `structuralSharing` as given; `null` when unset. */
    internal val structuralSharingOrNull: Boolean? = structuralSharing

    /**
     * `false` stops observers from fetching on their own: no fetch on subscribe, no polling, no
     * refetch on invalidation; their state stays IDLE until data arrives by other means.
     * `fetchQuery` always fetches when asked. Unset (`null` given): the matching
     * [QueryClient.setQueryDefaults] value, else `true`. [enabledFunction], when set, decides instead.
     */
    public val enabled: Boolean = enabled ?: true

    /**
     * Whether an observer fetches when it becomes active (its first subscriber arrives):
     * [RefetchTrigger.IF_STALE] (the default when unset), `ALWAYS` or `NEVER`. Only for
     * enabled observers.
     */
    public val refetchOnSubscribe: RefetchTrigger = refetchOnSubscribe ?: RefetchTrigger.IF_STALE

    /** Free-form data for the application (logging, devtools); unused by the client. Empty when unset. */
    public val meta: Map<String, Any?> = meta ?: emptyMap()

    /**
     * Whether new data keeps the cached instances of its parts that are equal to the cached data
     * ([StructuralSharing.replaceEqualDeep]; `true` when unset): an equal refetch then keeps the
     * cached instance, changes only `dataUpdatedAt` and the fetch status, and `select` does not
     * run again. `false` always takes the new instance.
     */
    public val structuralSharing: Boolean = structuralSharing ?: true

    /**
     * The constant stale time in ms (`STATIC_STALE_TIME` for static), or -1 for "client
     * default"; precomputed for the fresh-hit path. Meaningless when [dynamicStaleTime] is set.
     */
    internal val staleTimeMillis: Long = (staleTimeFunction as? ConstantStaleTime)?.value?.millis
        ?: staleTime?.let { durationMillis(it, "staleTime") } ?: -1L

    /** [staleTimeFunction] unless it is a constant ([StaleTime.always]). */
    internal val dynamicStaleTime: ((QueryView<T>) -> StaleTime)? =
        staleTimeFunction.takeUnless { it is ConstantStaleTime }
    internal val gcTimeMillis: Long = gcTime?.let { durationMillis(it, "gcTime") } ?: -1L

    /** [notifyOnChange] as an array, read on every observer publication. */
    internal val trackedFields: Array<QueryStateField>? = notifyOnChange?.toTypedArray()

    /**
     * These options merged with a client's defaults by prefix, cached for the registry (and its
     * version) that made them, so a fresh hit does not merge again. Written racily: a lost write
     * only costs another merge.
     */
    @Volatile
    internal var merged: MergedOptions? = null

    init {
        require(notifyOnChange == null || notifyOnChange.isNotEmpty()) {
            "notifyOnChange must name at least one field (null tracks all), was empty"
        }
        retry?.let(::checkRetry)
        refetchInterval?.let(::checkRefetchInterval)
    }

    /** [staleTime] for Java callers; `null` when unset. */
    public val staleTimeDuration: java.time.Duration? get() = staleTime?.toJavaDuration()

    /** [gcTime] for Java callers; `null` when unset. */
    public val gcTimeDuration: java.time.Duration? get() = gcTime?.toJavaDuration()

    /** [refetchInterval] for Java callers; `null` when unset. */
    public val refetchIntervalDuration: java.time.Duration? get() = refetchInterval?.toJavaDuration()

    /** These options with their unset fields taken from [defaults] (already merged for the key). */
    internal fun withDefaults(defaults: QueryDefaults): QueryOptions<T> {
        var staleTime = staleTime
        var staleTimeFunction = staleTimeFunction
        val default = defaults.staleTime
        if (staleTime == null && staleTimeFunction == null && default != null) {
            when {
                default.isStatic -> staleTimeFunction = StaleTime.always(default)
                default.millis == Long.MAX_VALUE -> staleTime = Duration.INFINITE
                else -> staleTime = default.millis.milliseconds
            }
        }
        return copy(
            staleTime,
            gcTime ?: defaults.gcTime,
            retry ?: defaults.retry,
            retryPolicy ?: defaults.retryPolicy,
            if (enabledFunction == null) enabledOrNull ?: defaults.enabled else null,
            if (refetchIntervalFunction == null) refetchInterval ?: defaults.refetchInterval else null,
            refetchOnSubscribeOrNull ?: defaults.refetchOnSubscribe,
            metaOrNull ?: defaults.meta,
            structuralSharingOrNull ?: defaults.structuralSharing,
            staleTimeFunction,
            networkMode ?: defaults.networkMode,
            refetchOnFocus ?: defaults.refetchOnFocus,
            refetchOnReconnect ?: defaults.refetchOnReconnect,
            refetchIntervalInBackground ?: defaults.refetchIntervalInBackground,
        )
    }

    /** A copy with the given defaultable fields, everything else kept. */
    internal fun copy(
        staleTime: Duration?,
        gcTime: Duration?,
        retry: Int?,
        retryPolicy: RetryPolicy?,
        enabled: Boolean?,
        refetchInterval: Duration?,
        refetchOnSubscribe: RefetchTrigger?,
        meta: Map<String, Any?>?,
        structuralSharing: Boolean?,
        staleTimeFunction: ((QueryView<T>) -> StaleTime)?,
        networkMode: NetworkMode?,
        refetchOnFocus: RefetchTrigger?,
        refetchOnReconnect: RefetchTrigger?,
        refetchIntervalInBackground: Boolean?,
    ): QueryOptions<T> = QueryOptions(
        queryKey, queryFn, staleTime, gcTime, retry, retryPolicy, enabled, initialData, initialDataUpdatedAt,
        placeholderData, refetchInterval, refetchOnSubscribe, keepPreviousData, onSuccess, onError, onSettled, meta,
        codec, structuralSharing, structuralSharingFunction, notifyOnChange, staleTimeFunction, enabledFunction,
        refetchIntervalFunction, placeholderDataFunction, networkMode, refetchOnFocus, refetchOnReconnect,
        refetchIntervalInBackground,
    )

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
        private var enabled: Boolean? = null
        private var initialData: T? = null
        private var initialDataUpdatedAt: Long? = null
        private var placeholderData: T? = null
        private var refetchInterval: Duration? = null
        private var refetchOnSubscribe: RefetchTrigger? = null
        private var keepPreviousData = false
        private var onSuccess: ((T) -> Unit)? = null
        private var onError: ((Throwable) -> Unit)? = null
        private var onSettled: ((T?, Throwable?) -> Unit)? = null
        private var meta: Map<String, Any?>? = null
        private var codec: QueryCodec<T>? = null
        private var structuralSharing: Boolean? = null
        private var structuralSharingFunction: ((T, T) -> T)? = null
        private var notifyOnChange: Set<QueryStateField>? = null
        private var staleTimeFunction: ((QueryView<T>) -> StaleTime)? = null
        private var enabledFunction: ((QueryView<T>) -> Boolean)? = null
        private var refetchIntervalFunction: ((QueryView<T>) -> Duration?)? = null
        private var placeholderDataFunction: ((T?, QueryView<T>?) -> T?)? = null
        private var networkMode: NetworkMode? = null
        private var refetchOnFocus: RefetchTrigger? = null
        private var refetchOnReconnect: RefetchTrigger? = null
        private var refetchIntervalInBackground: Boolean? = null

        /** See [QueryOptions.staleTime]; drops a stale-time function set before. */
        public fun staleTime(staleTime: java.time.Duration): Builder<T> = apply {
            this.staleTime = staleTime.toKotlinDuration().also { durationMillis(it, "staleTime") }
            staleTimeFunction = null
        }

        /** A constant [StaleTime] ([StaleTime.STATIC], say): [QueryOptions.staleTimeFunction] as [StaleTime.always]. */
        public fun staleTime(staleTime: StaleTime): Builder<T> = apply {
            staleTimeFunction = StaleTime.always(staleTime)
        }

        /** See [QueryOptions.staleTimeFunction]; the function must not return `null`. */
        public fun staleTime(function: Function<QueryView<T>, StaleTime>): Builder<T> = apply {
            staleTimeFunction = { snapshot ->
                requireNotNull(function.apply(snapshot)) { "the staleTime function returned null" }
            }
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

        /** See [QueryOptions.enabled]; drops an enabled function set before. */
        public fun enabled(enabled: Boolean): Builder<T> = apply {
            this.enabled = enabled
            enabledFunction = null
        }

        /** See [QueryOptions.enabledFunction]. */
        public fun enabled(function: Predicate<QueryView<T>>): Builder<T> = apply {
            enabledFunction = function::test
        }

        /** See [QueryOptions.initialData]. */
        public fun initialData(initialData: T): Builder<T> = apply { this.initialData = initialData }

        /** See [QueryOptions.initialDataUpdatedAt] (epoch ms). */
        public fun initialDataUpdatedAt(epochMillis: Long): Builder<T> = apply { initialDataUpdatedAt = epochMillis }

        /** See [QueryOptions.placeholderData]. */
        public fun placeholderData(placeholderData: T): Builder<T> = apply { this.placeholderData = placeholderData }

        /**
         * See [QueryOptions.placeholderDataFunction]: called with the previous data and the previous
         * query's snapshot (each `null` when there is none); a `null` result shows no placeholder.
         */
        public fun placeholderData(function: BiFunction<T?, QueryView<T>?, T?>): Builder<T> = apply {
            placeholderDataFunction = function::apply
        }

        /** See [QueryOptions.refetchInterval]. */
        public fun refetchInterval(interval: java.time.Duration): Builder<T> = apply {
            refetchInterval = checkRefetchInterval(interval)
            refetchIntervalFunction = null
        }

        /**
         * See [QueryOptions.refetchIntervalFunction]: the function returns the next period, or
         * `null` (or a zero or negative one) to stop polling.
         */
        public fun refetchInterval(function: Function<QueryView<T>, java.time.Duration?>): Builder<T> = apply {
            refetchIntervalFunction = { snapshot -> function.apply(snapshot)?.toKotlinDuration() }
        }

        /** See [QueryOptions.refetchOnSubscribe]. */
        public fun refetchOnSubscribe(mode: RefetchTrigger): Builder<T> = apply { refetchOnSubscribe = mode }

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

        /** See [QueryOptions.networkMode]. */
        public fun networkMode(mode: NetworkMode): Builder<T> = apply { networkMode = mode }

        /** See [QueryOptions.refetchOnFocus]. */
        public fun refetchOnFocus(trigger: RefetchTrigger): Builder<T> = apply { refetchOnFocus = trigger }

        /** See [QueryOptions.refetchOnReconnect]. */
        public fun refetchOnReconnect(trigger: RefetchTrigger): Builder<T> = apply { refetchOnReconnect = trigger }

        /** See [QueryOptions.refetchIntervalInBackground]. */
        public fun refetchIntervalInBackground(inBackground: Boolean): Builder<T> =
            apply { refetchIntervalInBackground = inBackground }

        /** The options set so far. */
        public fun build(): QueryOptions<T> = QueryOptions(
            queryKey, queryFn, staleTime, gcTime, retry, retryPolicy, enabled, initialData, initialDataUpdatedAt,
            placeholderData, refetchInterval, refetchOnSubscribe, keepPreviousData, onSuccess, onError, onSettled, meta,
            codec, structuralSharing, structuralSharingFunction, notifyOnChange, staleTimeFunction, enabledFunction,
            refetchIntervalFunction, placeholderDataFunction, networkMode, refetchOnFocus, refetchOnReconnect,
            refetchIntervalInBackground,
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
