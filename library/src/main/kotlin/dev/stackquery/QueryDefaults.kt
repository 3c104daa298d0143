package dev.stackquery

import dev.stackquery.internal.checkRefetchInterval
import dev.stackquery.internal.checkRetry
import dev.stackquery.internal.durationMillis
import kotlin.time.Duration
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration

/**
 * Options applied to every query whose key starts with a prefix, set with
 * [QueryClient.setQueryDefaults] (TanStack's `setQueryDefaults`). Every field is optional: `null`
 * leaves it to less specific defaults, then to the client's [QueryClientConfig], then to the
 * documented default of [QueryOptions]. A value a query's own [QueryOptions] set always wins.
 *
 * ```kotlin
 * client.setQueryDefaults(queryKey("user"), QueryDefaults(staleTime = StaleTime.of(5.minutes), retry = 2))
 * ```
 *
 * @property staleTime see [QueryOptions.staleTime]; may be [StaleTime.STATIC] or [StaleTime.INFINITE].
 * @property gcTime see [QueryOptions.gcTime].
 * @property retry see [QueryOptions.retry].
 * @property retryPolicy see [QueryOptions.retryPolicy].
 * @property enabled see [QueryOptions.enabled].
 * @property refetchInterval see [QueryOptions.refetchInterval].
 * @property refetchOnSubscribe see [QueryOptions.refetchOnSubscribe].
 * @property meta see [QueryOptions.meta]; replaces (does not merge with) less specific meta.
 * @property structuralSharing see [QueryOptions.structuralSharing].
 * @property networkMode see [QueryOptions.networkMode].
 * @property refetchOnFocus see [QueryOptions.refetchOnFocus].
 * @property refetchOnReconnect see [QueryOptions.refetchOnReconnect].
 * @property refetchIntervalInBackground see [QueryOptions.refetchIntervalInBackground].
 * @throws IllegalArgumentException naming the field, for a negative duration or retry, or a
 *   non-positive refetch interval.
 */
public class QueryDefaults(
    public val staleTime: StaleTime? = null,
    @get:JvmSynthetic public val gcTime: Duration? = null,
    public val retry: Int? = null,
    public val retryPolicy: RetryPolicy? = null,
    public val enabled: Boolean? = null,
    @get:JvmSynthetic public val refetchInterval: Duration? = null,
    public val refetchOnSubscribe: RefetchTrigger? = null,
    public val meta: Map<String, Any?>? = null,
    public val structuralSharing: Boolean? = null,
    public val networkMode: NetworkMode? = null,
    public val refetchOnFocus: RefetchTrigger? = null,
    public val refetchOnReconnect: RefetchTrigger? = null,
    public val refetchIntervalInBackground: Boolean? = null,
) {
    init {
        gcTime?.let { durationMillis(it, "gcTime") }
        retry?.let(::checkRetry)
        refetchInterval?.let(::checkRefetchInterval)
    }

    /** [gcTime] for Java callers; `null` when unset. */
    public val gcTimeDuration: java.time.Duration? get() = gcTime?.toJavaDuration()

    /** [refetchInterval] for Java callers; `null` when unset. */
    public val refetchIntervalDuration: java.time.Duration? get() = refetchInterval?.toJavaDuration()

    /** These defaults with [over]'s set fields on top (the result of merging [over] after these). */
    internal fun then(over: QueryDefaults): QueryDefaults = QueryDefaults(
        over.staleTime ?: staleTime,
        over.gcTime ?: gcTime,
        over.retry ?: retry,
        over.retryPolicy ?: retryPolicy,
        over.enabled ?: enabled,
        over.refetchInterval ?: refetchInterval,
        over.refetchOnSubscribe ?: refetchOnSubscribe,
        over.meta ?: meta,
        over.structuralSharing ?: structuralSharing,
        over.networkMode ?: networkMode,
        over.refetchOnFocus ?: refetchOnFocus,
        over.refetchOnReconnect ?: refetchOnReconnect,
        over.refetchIntervalInBackground ?: refetchIntervalInBackground,
    )

    override fun toString(): String =
        "QueryDefaults(staleTime=$staleTime, gcTime=$gcTime, retry=$retry, enabled=$enabled, " +
            "refetchInterval=$refetchInterval, refetchOnSubscribe=$refetchOnSubscribe, networkMode=$networkMode, " +
            "refetchOnFocus=$refetchOnFocus, refetchOnReconnect=$refetchOnReconnect, " +
            "refetchIntervalInBackground=$refetchIntervalInBackground)"

    /** Builds [QueryDefaults] from Java; setters validate eagerly (naming the field) and return the builder. */
    public class Builder internal constructor() {
        private var staleTime: StaleTime? = null
        private var gcTime: Duration? = null
        private var retry: Int? = null
        private var retryPolicy: RetryPolicy? = null
        private var enabled: Boolean? = null
        private var refetchInterval: Duration? = null
        private var refetchOnSubscribe: RefetchTrigger? = null
        private var meta: Map<String, Any?>? = null
        private var structuralSharing: Boolean? = null
        private var networkMode: NetworkMode? = null
        private var refetchOnFocus: RefetchTrigger? = null
        private var refetchOnReconnect: RefetchTrigger? = null
        private var refetchIntervalInBackground: Boolean? = null

        /** See [QueryDefaults.staleTime]. */
        public fun staleTime(staleTime: java.time.Duration): Builder =
            apply { this.staleTime = StaleTime.of(staleTime) }

        /** See [QueryDefaults.staleTime] ([StaleTime.STATIC], say). */
        public fun staleTime(staleTime: StaleTime): Builder = apply { this.staleTime = staleTime }

        /** See [QueryDefaults.gcTime]. */
        public fun gcTime(gcTime: java.time.Duration): Builder = apply {
            this.gcTime = gcTime.toKotlinDuration().also { durationMillis(it, "gcTime") }
        }

        /** See [QueryDefaults.retry]. */
        public fun retry(retry: Int): Builder = apply { this.retry = checkRetry(retry) }

        /** See [QueryDefaults.retryPolicy]. */
        public fun retryPolicy(retryPolicy: RetryPolicy): Builder = apply { this.retryPolicy = retryPolicy }

        /** See [QueryDefaults.enabled]. */
        public fun enabled(enabled: Boolean): Builder = apply { this.enabled = enabled }

        /** See [QueryDefaults.refetchInterval]. */
        public fun refetchInterval(interval: java.time.Duration): Builder = apply {
            refetchInterval = checkRefetchInterval(interval)
        }

        /** See [QueryDefaults.refetchOnSubscribe]. */
        public fun refetchOnSubscribe(mode: RefetchTrigger): Builder = apply { refetchOnSubscribe = mode }

        /** See [QueryDefaults.meta]; copied. */
        public fun meta(meta: Map<String, Any?>): Builder = apply { this.meta = meta.toMap() }

        /** See [QueryDefaults.structuralSharing]. */
        public fun structuralSharing(enabled: Boolean): Builder = apply { structuralSharing = enabled }

        /** See [QueryDefaults.networkMode]. */
        public fun networkMode(mode: NetworkMode): Builder = apply { networkMode = mode }

        /** See [QueryDefaults.refetchOnFocus]. */
        public fun refetchOnFocus(trigger: RefetchTrigger): Builder = apply { refetchOnFocus = trigger }

        /** See [QueryDefaults.refetchOnReconnect]. */
        public fun refetchOnReconnect(trigger: RefetchTrigger): Builder = apply { refetchOnReconnect = trigger }

        /** See [QueryDefaults.refetchIntervalInBackground]. */
        public fun refetchIntervalInBackground(inBackground: Boolean): Builder =
            apply { refetchIntervalInBackground = inBackground }

        /** The defaults set so far. */
        public fun build(): QueryDefaults = QueryDefaults(
            staleTime, gcTime, retry, retryPolicy, enabled, refetchInterval, refetchOnSubscribe, meta,
            structuralSharing, networkMode, refetchOnFocus, refetchOnReconnect, refetchIntervalInBackground,
        )
    }

    public companion object {
        /** A [Builder] with nothing set. */
        @JvmStatic
        public fun builder(): Builder = Builder()
    }
}
