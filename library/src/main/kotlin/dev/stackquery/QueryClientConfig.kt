@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery

import dev.stackquery.internal.checkRetry
import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.requireDispatching
import dev.stackquery.internal.durationMillis
import dev.stackquery.internal.positiveMillis
import dev.stackquery.storage.StorageBackend
import dev.stackquery.sync.SyncTransport
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asCoroutineDispatcher
import java.util.concurrent.Executor
import kotlin.coroutines.CoroutineContext
import kotlin.time.Duration
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds
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
 * @property storage the persistent (L2) tier: queries with a [QueryOptions.codec] are read from it
 *   on a cold miss (hydration) and written to it in the background after each success; `null`
 *   (default) keeps everything in memory. The client never closes it. See "Persistence" on
 *   [QueryClient].
 * @property storageTimeout the longest a query waits for one storage read (hydration), and the
 *   limit of each storage write; past it the operation counts as failed. Default 2 seconds.
 * @property persistMaxAge how long a persisted entry lives in the storage (its TTL); `null`
 *   (default) uses the query's `gcTime`. [Duration.INFINITE]: entries never expire.
 * @property storageNamespace prepended to every storage key (`namespace + queryKey`), so several
 *   applications can share one storage. Default `"stackquery:"`.
 * @property buster a version of the persisted data: entries written under another buster are
 *   ignored and deleted. Change it when the shape of the cached types changes. Default `""`.
 * @property storageFailureThreshold consecutive storage failures (errors or timeouts) after which
 *   the client stops using the storage for [storageCoolDown], then tries one operation again.
 *   Default 5; must be >= 1.
 * @property storageCoolDown how long the storage is skipped once the breaker opened. Default 30 seconds.
 * @property storageWriteRetries how many times a failed write batch is retried before it is dropped
 *   (and counted). Default 3.
 * @property maxPendingWrites the most writes waiting for the storage; past it the oldest write is
 *   dropped (and counted), so a slow or dead storage never grows memory without bound; deletions
 *   are kept unless nothing else waits. Default 10,000.
 * @property writeBatchSize the most writes handed to a [dev.stackquery.storage.BatchStorage] at once. Default 256.
 * @property sync a channel to the other instances sharing [storage]: this client publishes its
 *   invalidations, `setQueryData` writes and removals, and applies theirs. `null` (default): none.
 *   See "Several instances" on [QueryClient]. The client closes it when it closes.
 * @property maxValueBytes the largest stored entry (the envelope with the query's data, in bytes
 *   of UTF-8) the client writes to [storage]; a larger one stays in memory only, its write dropped
 *   and counted in `StorageStats.writesDropped`, with a warning. Default 8 MiB, under MariaDB's
 *   default `max_allowed_packet` (16 MiB); must be >= 1.
 * @property mutationGcTime how long a settled mutation run stays in the mutation cache
 *   ([QueryClient.mutations]) when its [MutationOptions.gcTime] is `null`; default 5 minutes, as
 *   TanStack's. [Duration.INFINITE] keeps runs until [QueryClient.clear] or [QueryClient.close].
 *   Each settled run keeps its variables and result until then: a server running many mutations
 *   may want a shorter one.
 * @property mutationCacheCallbacks callbacks called for every mutation run (a global error
 *   toast, logging); default [MutationCacheCallbacks.NONE]. See [MutationCacheCallbacks].
 * @property queryCacheCallbacks callbacks called for every query's fetch outcome (a global error
 *   relay, say); default [QueryCacheCallbacks.NONE]. See [QueryCacheCallbacks].
 * @property focusManager whether the application is in the foreground; default
 *   [FocusManager.ALWAYS_FOCUSED] (a server never loses focus). See [FocusManager].
 * @property onlineManager whether the network is there; default [OnlineManager.ALWAYS_ONLINE].
 *   See [OnlineManager] and [NetworkMode].
 * @property networkMode how queries and mutations treat the network when theirs is `null`;
 *   default [NetworkMode.ONLINE] (no attempt while offline), which changes nothing with the
 *   default [onlineManager].
 * @property refetchOnFocus whether regaining focus refetches an active query when its own
 *   [QueryOptions.refetchOnFocus] is `null`; default [RefetchTrigger.IF_STALE].
 * @property refetchOnReconnect whether the network coming back refetches an active query when its
 *   own [QueryOptions.refetchOnReconnect] is `null`; default [RefetchTrigger.IF_STALE].
 * @property refetchIntervalInBackground whether polling ([QueryOptions.refetchInterval]) goes on
 *   while the application is not focused, when a query's own setting is `null`; default `false`
 *   (polling stops while unfocused and resumes, with a fetch, when focus comes back).
 * @throws IllegalArgumentException naming the field, for a negative duration, `retry < 0`,
 *   `cacheMaxSize < 1`, an unconfined dispatcher, or a storage setting out of range.
 */
public class QueryClientConfig(
    @get:JvmSynthetic public val staleTime: Duration = Duration.ZERO,
    @get:JvmSynthetic public val gcTime: Duration = 5.minutes,
    public val retry: Int = 3,
    public val retryPolicy: RetryPolicy = RetryPolicy.DEFAULT,
    public val cacheMaxSize: Int = 1000,
    public val clock: QueryClock = QueryClock.SYSTEM,
    public val coroutineContext: CoroutineContext = Dispatchers.Default,
    public val storage: StorageBackend? = null,
    @get:JvmSynthetic public val storageTimeout: Duration = 2.seconds,
    @get:JvmSynthetic public val persistMaxAge: Duration? = null,
    public val storageNamespace: String = "stackquery:",
    public val buster: String = "",
    public val storageFailureThreshold: Int = 5,
    @get:JvmSynthetic public val storageCoolDown: Duration = 30.seconds,
    public val storageWriteRetries: Int = 3,
    public val maxPendingWrites: Int = 10_000,
    public val writeBatchSize: Int = 256,
    public val sync: SyncTransport? = null,
    public val maxValueBytes: Int = DEFAULT_MAX_VALUE_BYTES,
    @get:JvmSynthetic public val mutationGcTime: Duration = 5.minutes,
    public val mutationCacheCallbacks: MutationCacheCallbacks = MutationCacheCallbacks.NONE,
    public val queryCacheCallbacks: QueryCacheCallbacks = QueryCacheCallbacks.NONE,
    public val focusManager: FocusManager = FocusManager.ALWAYS_FOCUSED,
    public val onlineManager: OnlineManager = OnlineManager.ALWAYS_ONLINE,
    public val networkMode: NetworkMode = NetworkMode.ONLINE,
    public val refetchOnFocus: RefetchTrigger = RefetchTrigger.IF_STALE,
    public val refetchOnReconnect: RefetchTrigger = RefetchTrigger.IF_STALE,
    public val refetchIntervalInBackground: Boolean = false,
) {
    internal val staleTimeMillis: Long = durationMillis(staleTime, "staleTime")
    internal val gcTimeMillis: Long = durationMillis(gcTime, "gcTime")
    internal val mutationGcTimeMillis: Long = durationMillis(mutationGcTime, "mutationGcTime")
    internal val storageTimeoutMillis: Long = positiveMillis(storageTimeout, "storageTimeout")
    internal val persistMaxAgeMillis: Long = persistMaxAge?.let(::checkMaxAge) ?: -1L
    internal val storageCoolDownMillis: Long = positiveMillis(storageCoolDown, "storageCoolDown")

    init {
        checkRetry(retry)
        require(cacheMaxSize >= 1) { "cacheMaxSize must be >= 1, was $cacheMaxSize" }
        require(storageFailureThreshold >= 1) { "storageFailureThreshold must be >= 1, was $storageFailureThreshold" }
        require(storageWriteRetries >= 0) { "storageWriteRetries must be >= 0, was $storageWriteRetries" }
        require(maxPendingWrites >= 1) { "maxPendingWrites must be >= 1, was $maxPendingWrites" }
        require(writeBatchSize >= 1) { "writeBatchSize must be >= 1, was $writeBatchSize" }
        require(maxValueBytes >= 1) { "maxValueBytes must be >= 1, was $maxValueBytes" }
        checkContext(coroutineContext)
    }

    /** [staleTime] for Java callers. */
    public val staleTimeDuration: java.time.Duration get() = staleTime.toJavaDuration()

    /** [gcTime] for Java callers. */
    public val gcTimeDuration: java.time.Duration get() = gcTime.toJavaDuration()

    /** [mutationGcTime] for Java callers. */
    public val mutationGcTimeDuration: java.time.Duration get() = mutationGcTime.toJavaDuration()

    /** [storageTimeout] for Java callers. */
    public val storageTimeoutDuration: java.time.Duration get() = storageTimeout.toJavaDuration()

    /** [persistMaxAge] for Java callers; `null` when entries live as long as the query's `gcTime`. */
    public val persistMaxAgeDuration: java.time.Duration? get() = persistMaxAge?.toJavaDuration()

    /** [storageCoolDown] for Java callers. */
    public val storageCoolDownDuration: java.time.Duration get() = storageCoolDown.toJavaDuration()

    override fun toString(): String =
        "QueryClientConfig(staleTime=$staleTime, gcTime=$gcTime, retry=$retry, retryPolicy=$retryPolicy, " +
            "cacheMaxSize=$cacheMaxSize, clock=$clock, coroutineContext=$coroutineContext, storage=$storage, " +
            "storageTimeout=$storageTimeout, persistMaxAge=$persistMaxAge, storageNamespace=$storageNamespace, " +
            "buster=$buster, storageFailureThreshold=$storageFailureThreshold, storageCoolDown=$storageCoolDown, " +
            "storageWriteRetries=$storageWriteRetries, maxPendingWrites=$maxPendingWrites, " +
            "writeBatchSize=$writeBatchSize, sync=$sync, maxValueBytes=$maxValueBytes, " +
            "mutationGcTime=$mutationGcTime, mutationCacheCallbacks=$mutationCacheCallbacks, " +
            "queryCacheCallbacks=$queryCacheCallbacks, focusManager=$focusManager, onlineManager=$onlineManager, " +
            "networkMode=$networkMode, refetchOnFocus=$refetchOnFocus, refetchOnReconnect=$refetchOnReconnect, " +
            "refetchIntervalInBackground=$refetchIntervalInBackground)"

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
        private var storage: StorageBackend? = null
        private var storageTimeout: Duration = 2.seconds
        private var persistMaxAge: Duration? = null
        private var storageNamespace: String = "stackquery:"
        private var buster: String = ""
        private var storageFailureThreshold: Int = 5
        private var storageCoolDown: Duration = 30.seconds
        private var storageWriteRetries: Int = 3
        private var maxPendingWrites: Int = 10_000
        private var writeBatchSize: Int = 256
        private var sync: SyncTransport? = null
        private var maxValueBytes: Int = DEFAULT_MAX_VALUE_BYTES
        private var mutationGcTime: Duration = 5.minutes
        private var mutationCacheCallbacks: MutationCacheCallbacks = MutationCacheCallbacks.NONE
        private var queryCacheCallbacks: QueryCacheCallbacks = QueryCacheCallbacks.NONE
        private var focusManager: FocusManager = FocusManager.ALWAYS_FOCUSED
        private var onlineManager: OnlineManager = OnlineManager.ALWAYS_ONLINE
        private var networkMode: NetworkMode = NetworkMode.ONLINE
        private var refetchOnFocus: RefetchTrigger = RefetchTrigger.IF_STALE
        private var refetchOnReconnect: RefetchTrigger = RefetchTrigger.IF_STALE
        private var refetchIntervalInBackground: Boolean = false

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
        public fun coroutineContext(context: CoroutineContext): Builder = apply {
            coroutineContext =
                checkContext(context)
        }

        /** See [QueryClientConfig.storage]; `null` turns persistence off. */
        public fun storage(storage: StorageBackend?): Builder = apply { this.storage = storage }

        /** See [QueryClientConfig.storageTimeout]. */
        public fun storageTimeout(timeout: java.time.Duration): Builder = apply {
            storageTimeout = timeout.toKotlinDuration().also { positiveMillis(it, "storageTimeout") }
        }

        /** See [QueryClientConfig.persistMaxAge]; `null`: the query's `gcTime`. */
        public fun persistMaxAge(maxAge: java.time.Duration?): Builder = apply {
            persistMaxAge = maxAge?.toKotlinDuration()?.also { checkMaxAge(it) }
        }

        /** See [QueryClientConfig.storageNamespace]. */
        public fun storageNamespace(namespace: String): Builder = apply { storageNamespace = namespace }

        /** See [QueryClientConfig.buster]. */
        public fun buster(buster: String): Builder = apply { this.buster = buster }

        /** See [QueryClientConfig.storageFailureThreshold]. */
        public fun storageFailureThreshold(threshold: Int): Builder = apply {
            require(threshold >= 1) { "storageFailureThreshold must be >= 1, was $threshold" }
            storageFailureThreshold = threshold
        }

        /** See [QueryClientConfig.storageCoolDown]. */
        public fun storageCoolDown(coolDown: java.time.Duration): Builder = apply {
            storageCoolDown = coolDown.toKotlinDuration().also { positiveMillis(it, "storageCoolDown") }
        }

        /** See [QueryClientConfig.storageWriteRetries]. */
        public fun storageWriteRetries(retries: Int): Builder = apply {
            require(retries >= 0) { "storageWriteRetries must be >= 0, was $retries" }
            storageWriteRetries = retries
        }

        /** See [QueryClientConfig.maxPendingWrites]. */
        public fun maxPendingWrites(max: Int): Builder = apply {
            require(max >= 1) { "maxPendingWrites must be >= 1, was $max" }
            maxPendingWrites = max
        }

        /** See [QueryClientConfig.writeBatchSize]. */
        public fun writeBatchSize(size: Int): Builder = apply {
            require(size >= 1) { "writeBatchSize must be >= 1, was $size" }
            writeBatchSize = size
        }

        /** See [QueryClientConfig.sync]; `null` for none. */
        public fun sync(sync: SyncTransport?): Builder = apply { this.sync = sync }

        /** See [QueryClientConfig.maxValueBytes]. */
        public fun maxValueBytes(max: Int): Builder = apply {
            require(max >= 1) { "maxValueBytes must be >= 1, was $max" }
            maxValueBytes = max
        }

        /** See [QueryClientConfig.mutationGcTime]. */
        public fun mutationGcTime(gcTime: java.time.Duration): Builder = apply {
            mutationGcTime = gcTime.toKotlinDuration().also { durationMillis(it, "mutationGcTime") }
        }

        /** See [QueryClientConfig.mutationCacheCallbacks]. */
        public fun mutationCacheCallbacks(callbacks: MutationCacheCallbacks): Builder =
            apply { mutationCacheCallbacks = callbacks }

        /** See [QueryClientConfig.queryCacheCallbacks]. */
        public fun queryCacheCallbacks(callbacks: QueryCacheCallbacks): Builder =
            apply { queryCacheCallbacks = callbacks }

        /** See [QueryClientConfig.focusManager]. */
        public fun focusManager(manager: FocusManager): Builder = apply { focusManager = manager }

        /** See [QueryClientConfig.onlineManager]. */
        public fun onlineManager(manager: OnlineManager): Builder = apply { onlineManager = manager }

        /** See [QueryClientConfig.networkMode]. */
        public fun networkMode(mode: NetworkMode): Builder = apply { networkMode = mode }

        /** See [QueryClientConfig.refetchOnFocus]. */
        public fun refetchOnFocus(trigger: RefetchTrigger): Builder = apply { refetchOnFocus = trigger }

        /** See [QueryClientConfig.refetchOnReconnect]. */
        public fun refetchOnReconnect(trigger: RefetchTrigger): Builder = apply { refetchOnReconnect = trigger }

        /** See [QueryClientConfig.refetchIntervalInBackground]. */
        public fun refetchIntervalInBackground(inBackground: Boolean): Builder =
            apply { refetchIntervalInBackground = inBackground }

        /** A config with the values set so far. */
        public fun build(): QueryClientConfig = QueryClientConfig(
            staleTime, gcTime, retry, retryPolicy, cacheMaxSize, clock, coroutineContext, storage, storageTimeout,
            persistMaxAge, storageNamespace, buster, storageFailureThreshold, storageCoolDown, storageWriteRetries,
            maxPendingWrites, writeBatchSize, sync, maxValueBytes, mutationGcTime, mutationCacheCallbacks,
            queryCacheCallbacks, focusManager, onlineManager, networkMode, refetchOnFocus, refetchOnReconnect,
            refetchIntervalInBackground,
        )
    }

    public companion object {
        /** The default [maxValueBytes]: 8 MiB. */
        public const val DEFAULT_MAX_VALUE_BYTES: Int = 8 * 1024 * 1024

        private fun checkContext(context: CoroutineContext): CoroutineContext = requireDispatching(
            context,
            "coroutineContext",
            "run the client's background work inside its callers' locks",
        )

        /** [maxAge] in ms ([Duration.INFINITE]: [Long.MAX_VALUE]); it must be positive. */
        private fun checkMaxAge(maxAge: Duration): Long {
            require(maxAge.isPositive()) { "persistMaxAge must be positive, was $maxAge" }
            return durationMillis(maxAge, "persistMaxAge")
        }

        /** A builder with every field at its default, for Java. */
        @JvmStatic
        public fun builder(): Builder = Builder()
    }
}
