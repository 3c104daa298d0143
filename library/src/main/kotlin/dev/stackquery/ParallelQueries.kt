@file:JvmName("ParallelQueries")

package dev.stackquery

import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope

/**
 * Fetches [a] and [b] concurrently, each like [QueryClient.fetchQuery], and returns both results.
 *
 * If one fails, its error is thrown as soon as it is known (the first failure wins) and this
 * call stops waiting for the other; the other fetch still runs to completion in the client's
 * scope and fills the cache. Cancelling the caller detaches it the same way.
 */
public suspend fun <A, B> QueryClient.parallelQueries(a: QueryOptions<A>, b: QueryOptions<B>): Pair<A, B> =
    coroutineScope {
        val first = async { fetchQuery(a) }
        val second = async { fetchQuery(b) }
        first.await() to second.await()
    }

/** Three-query form of [parallelQueries], with the same failure behaviour. */
public suspend fun <A, B, C> QueryClient.parallelQueries(
    a: QueryOptions<A>,
    b: QueryOptions<B>,
    c: QueryOptions<C>,
): Triple<A, B, C> = coroutineScope {
    val first = async { fetchQuery(a) }
    val second = async { fetchQuery(b) }
    val third = async { fetchQuery(c) }
    Triple(first.await(), second.await(), third.await())
}

/** List form of [parallelQueries]: the results in the order of [options], same failure behaviour. */
public suspend fun <T> QueryClient.parallelQueries(options: List<QueryOptions<out T>>): List<T> = coroutineScope {
    options.map { async { fetchQuery(it) } }.awaitAll()
}
