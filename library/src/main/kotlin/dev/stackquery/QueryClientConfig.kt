package dev.stackquery

import dev.stackquery.internal.checkRetry
import dev.stackquery.internal.durationMillis
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asCoroutineDispatcher
import java.util.concurrent.Executor
import kotlinx.coroutines.CoroutineDispatcher
import kotlin.coroutines.ContinuationInterceptor
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.EmptyCoroutineContext
import kotlin.time.Duration
import kotlin.time.Duration.Companion.minutes
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration

/**
 * The defaults and the machinery of one [QueryClient]. Immutable; validated at construction.
 *
 * Every per-query option left `null` in [QueryOptions] takes its value from here; an explicit
 * value in the options (even `0` or `3`) always wins.
 *
 * ```kotlin
 * val config = QueryClientConfig(staleTime = 30.seconds, retry = 1)
 * ```
 * From Java: `QueryClientConfig.builder().staleTime(Duration.ofSeconds(30)).retry(1).build()`.
 *
 * @property staleTime how long fetched data stays fresh; default 0 (stale at once, so every
 *   `fetchQuery` after the first revalidates in the background). [Duration.INFINITE] never goes
 *   stale by age (invalidation still makes it stale).
 * @property gcTime how long a query with no observer and no fetch in flight stays in memory
 *   before it is removed; default 5 minutes. [Duration.INFINITE] never collects.
 * @property retry how many times a failed fetch is retried (so `retry + 1` attempts); default 3.
 * @property retryPolicy the wait between attempts and which errors are retried; default
 *   [RetryPolicy.DEFAULT] (`min(1s * 2^n, 30s)`).
 * @property cacheMaxSize the most queries kept in memory; past it, the least recently used
 *   *inactive* queries are evicted. Observed or fetching queries are never evicted, so the cache
 *   may exceed the bound while more than this many are active. Default 1000; must be >= 1.
 * @property clock the source of every timestamp; default [QueryClock.SYSTEM].
 * @property coroutineContext where the client's coroutines (fetches, retries, gc) run; default
 *   [Dispatchers.Default]. A [kotlinx.coroutines.Job] in it becomes the parent of the client's own
 *   `SupervisorJob`; cancelling that Job closes the client. Tests pass a `StandardTestDispatcher`
 *   to run in virtual time. Unconfined dispatchers (`Dispatchers.Unconfined`,
 *   `UnconfinedTestDispatcher`) are rejected: they would run background work inline.
 * @throws IllegalArgumentException naming the field, for a negative duration, `retry < 0`,
 *   `cacheMaxSize < 1` or an unconfined dispatcher.
 */
public class QueryClientConfig(
    @get:JvmSynthetic public val staleTime: Duration = Duration.ZERO,
    @get:JvmSynthetic public val gcTime: Duration = 5.minutes,
    public val retry: Int = 3,
    public val retryPolicy: RetryPolicy = RetryPolicy.DEFAULT,
    public val cacheMaxSize: Int = 1000,
    public val clock: QueryClock = QueryClock.SYSTEM,
    public val coroutineContext: CoroutineContext = Dispatchers.Default,
) {
    internal val staleTimeMillis: Long = durationMillis(staleTime, "staleTime")
    internal val gcTimeMillis: Long = durationMillis(gcTime, "gcTime")

    init {
        checkRetry(retry)
        require(cacheMaxSize >= 1) { "cacheMaxSize must be >= 1, was $cacheMaxSize" }
        val dispatcher = coroutineContext[ContinuationInterceptor] as? CoroutineDispatcher
        require(dispatcher == null || dispatcher.isDispatchNeeded(EmptyCoroutineContext)) {
            "coroutineContext must have a dispatching dispatcher, was $dispatcher: an unconfined one " +
                "would run the client's background work inside its callers' locks"
        }
    }

    /** [staleTime] for Java callers. */
    public val staleTimeDuration: java.time.Duration get() = staleTime.toJavaDuration()

    /** [gcTime] for Java callers. */
    public val gcTimeDuration: java.time.Duration get() = gcTime.toJavaDuration()

    override fun toString(): String =
        "QueryClientConfig(staleTime=$staleTime, gcTime=$gcTime, retry=$retry, retryPolicy=$retryPolicy, " +
            "cacheMaxSize=$cacheMaxSize, clock=$clock, coroutineContext=$coroutineContext)"

    /**
     * Builds a [QueryClientConfig] from Java. Setters validate eagerly and return the builder;
     * unset fields keep the defaults documented on [QueryClientConfig].
     */
    public class Builder internal constructor() {
        private var staleTime: Duration = Duration.ZERO
        private var gcTime: Duration = 5.minutes
        private var retry: Int = 3
        private var retryPolicy: RetryPolicy = RetryPolicy.DEFAULT
        private var cacheMaxSize: Int = 1000
        private var clock: QueryClock = QueryClock.SYSTEM
        private var coroutineContext: CoroutineContext = Dispatchers.Default

        /** See [QueryClientConfig.staleTime]. */
        public fun staleTime(staleTime: java.time.Duration): Builder = apply {
            this.staleTime = staleTime.toKotlinDuration().also { durationMillis(it, "staleTime") }
        }

        /** See [QueryClientConfig.gcTime]. */
        public fun gcTime(gcTime: java.time.Duration): Builder = apply {
            this.gcTime = gcTime.toKotlinDuration().also { durationMillis(it, "gcTime") }
        }

        /** See [QueryClientConfig.retry]. */
        public fun retry(retry: Int): Builder = apply {
            this.retry = checkRetry(retry)
        }

        /** See [QueryClientConfig.retryPolicy]. */
        public fun retryPolicy(retryPolicy: RetryPolicy): Builder = apply { this.retryPolicy = retryPolicy }

        /** See [QueryClientConfig.cacheMaxSize]. */
        public fun cacheMaxSize(cacheMaxSize: Int): Builder = apply {
            require(cacheMaxSize >= 1) { "cacheMaxSize must be >= 1, was $cacheMaxSize" }
            this.cacheMaxSize = cacheMaxSize
        }

        /** See [QueryClientConfig.clock]. */
        public fun clock(clock: QueryClock): Builder = apply { this.clock = clock }

        /**
         * Runs the client's coroutines on [executor] (see [QueryClientConfig.coroutineContext]).
         * It must run tasks on other threads, never inline in `execute` (a direct executor would
         * run background work inside the caller's locks).
         */
        public fun executor(executor: Executor): Builder = apply { coroutineContext = executor.asCoroutineDispatcher() }

        /** See [QueryClientConfig.coroutineContext]. */
        public fun coroutineContext(context: CoroutineContext): Builder = apply { coroutineContext = context }

        /** A config with the values set so far. */
        public fun build(): QueryClientConfig =
            QueryClientConfig(staleTime, gcTime, retry, retryPolicy, cacheMaxSize, clock, coroutineContext)
    }

    public companion object {
        /** A builder with every field at its default, for Java. */
        @JvmStatic
        public fun builder(): Builder = Builder()
    }
}
