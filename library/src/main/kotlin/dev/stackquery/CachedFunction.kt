package dev.stackquery

import java.util.concurrent.atomic.AtomicReference
import kotlin.time.Duration

/**
 * A suspend function whose results are cached as queries, from [QueryClient.cachedFunction]:
 * `invoke(arg)` is `fetchQuery` on the key `keyOf(arg)`, so concurrent calls with one argument
 * share one execution, fresh results come from memory and stale ones are revalidated.
 *
 * ```kotlin
 * val user = client.cachedFunction(keyOf = { id: Int -> queryKey("user", id) }, staleTime = 1.minutes) { id -> api.user(id) }
 * user(42); user.invalidate(42); user.peek(42)
 * ```
 */
public class CachedFunction<A, R> internal constructor(
    private val client: QueryClient,
    private val keyOf: (A) -> QueryKey,
    private val staleTime: Duration?,
    private val function: suspend (A) -> R,
) {
    /** The longest prefix shared by every key made so far: what [invalidateAll] invalidates. */
    private val commonPrefix = AtomicReference<QueryKey?>(null)

    /** The result for [arg]: cached if fresh, else fetched (see [QueryClient.fetchQuery]). */
    public suspend operator fun invoke(arg: A): R {
        val key = keyFor(arg)
        return client.fetchQuery(QueryOptions(key, { function(arg) }, staleTime = staleTime))
    }

    /** Invalidates the cached result for [arg] (refetched on next use, or at once if observed). */
    public suspend fun invalidate(arg: A) {
        client.invalidateQueries(QueryFilter.exact(keyOf(arg)))
    }

    /**
     * Invalidates every result of this function: the keys under the longest prefix that all keys
     * it made share (with keys like `["user", id]`, every `["user", …]` query). Give `keyOf` a
     * constant first segment: keys sharing no prefix would make this invalidate every query.
     */
    public suspend fun invalidateAll() {
        val prefix = commonPrefix.get() ?: return
        client.invalidateQueries(prefix)
    }

    /** The cached result for [arg], fresh or stale, without calling the function; `null` if none. */
    public fun peek(arg: A): R? = client.getQueryData(keyOf(arg))

    private fun keyFor(arg: A): QueryKey {
        val key = keyOf(arg)
        commonPrefix.updateAndGet { prefix -> if (prefix == null) key else sharedPrefix(prefix, key) }
        return key
    }

    private fun sharedPrefix(a: QueryKey, b: QueryKey): QueryKey {
        var n = 0
        while (n < a.size && n < b.size && a[n] == b[n]) n++
        return if (n == a.size) a else QueryKey.of(*a.segments.subList(0, n).toTypedArray())
    }
}

/**
 * Wraps [function] in a [CachedFunction]: results cached under `keyOf(arg)` with [staleTime]
 * (`null`: the client's default).
 */
public fun <A, R> QueryClient.cachedFunction(
    keyOf: (A) -> QueryKey,
    staleTime: Duration? = null,
    function: suspend (A) -> R,
): CachedFunction<A, R> = CachedFunction(this, keyOf, staleTime, function)
