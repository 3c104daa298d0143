package dev.stackquery

import dev.stackquery.internal.durationMillis
import kotlin.time.Duration

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
 *   return `null`; `null` is cached like any value.
 * @property staleTime how long fetched data stays fresh; `null` uses [QueryClientConfig.staleTime].
 * @property gcTime how long the query stays in memory once inactive; `null` uses [QueryClientConfig.gcTime].
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
 * @throws IllegalArgumentException naming the field, for a negative duration or retry, or a
 *   non-positive refetch interval.
 */
public class QueryOptions<T>(
    public val queryKey: QueryKey,
    public val queryFn: suspend () -> T,
    public val staleTime: Duration? = null,
    public val gcTime: Duration? = null,
    public val retry: Int? = null,
    public val retryPolicy: RetryPolicy? = null,
    public val enabled: Boolean = true,
    public val initialData: T? = null,
    public val initialDataUpdatedAt: Long? = null,
    public val placeholderData: T? = null,
    public val refetchInterval: Duration? = null,
    public val refetchOnSubscribe: RefetchOnSubscribe = RefetchOnSubscribe.IF_STALE,
    public val keepPreviousData: Boolean = false,
    public val onSuccess: ((T) -> Unit)? = null,
    public val onError: ((Throwable) -> Unit)? = null,
    public val onSettled: ((T?, Throwable?) -> Unit)? = null,
    public val meta: Map<String, Any?> = emptyMap(),
) {
    /** [staleTime] in ms, or -1 for "client default"; precomputed for the fresh-hit path. */
    internal val staleTimeMillis: Long = staleTime?.let { durationMillis(it, "staleTime") } ?: -1L
    internal val gcTimeMillis: Long = gcTime?.let { durationMillis(it, "gcTime") } ?: -1L

    init {
        require(retry == null || retry >= 0) { "retry must be >= 0, was $retry" }
        require(refetchInterval == null || refetchInterval.isPositive()) {
            "refetchInterval must be positive, was $refetchInterval"
        }
    }

    override fun toString(): String =
        "QueryOptions(queryKey=$queryKey, staleTime=$staleTime, gcTime=$gcTime, retry=$retry, enabled=$enabled)"
}
