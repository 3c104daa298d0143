@file:JvmName("Fixtures")

package dev.stackquery.benchmarks

import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryClock
import dev.stackquery.QueryKey
import dev.stackquery.QueryOptions
import kotlin.time.Duration

/**
 * A client for the cache-hit benchmarks: data never goes stale or gets collected (`staleTime` and
 * `gcTime` infinite, like a Caffeine cache with no expiry), and up to [maxSize] queries are kept
 * (`cacheMaxSize`, the peer of Caffeine's `maximumSize`), timed by [clock].
 */
@JvmOverloads
fun hitClient(maxSize: Int, clock: QueryClock = QueryClock.SYSTEM): QueryClient = QueryClient(
    QueryClientConfig(staleTime = Duration.INFINITE, gcTime = Duration.INFINITE, cacheMaxSize = maxSize, clock = clock),
)

/**
 * A clock whose reading is a volatile field: what reading a coarse ticker (a millisecond counter
 * that something else advances) costs, instead of `System.currentTimeMillis()`. For the experiment
 * that measures how much of a fresh hit is the clock read; it only moves when [now] is set.
 */
class CoarseClock(@Volatile var now: Long = System.currentTimeMillis()) : QueryClock {
    override fun nowMillis(): Long = now
}

/**
 * Options for [key] whose query function fails loudly: the benchmarks that use them read data put
 * there by `setQueryData`, so a call means the benchmark measured a miss instead of a hit.
 */
fun <T> hitOptions(key: QueryKey): QueryOptions<T> = QueryOptions(
    queryKey = key,
    queryFn = { throw IllegalStateException("the query function of $key ran: the benchmark expected a cache hit") },
    retry = 0,
)
