package dev.stackquery.benchmarks

import dev.stackquery.QueryClient
import dev.stackquery.QueryKey
import dev.stackquery.QueryOptions
import kotlin.coroutines.Continuation
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.EmptyCoroutineContext
import kotlin.coroutines.intrinsics.COROUTINE_SUSPENDED
import kotlin.coroutines.intrinsics.startCoroutineUninterceptedOrReturn

/**
 * Calls [QueryClient]'s suspend functions from plain code, for operations that complete without
 * suspending: a fresh hit of `fetchQuery`, and `invalidateQueries` when no matched query is active.
 *
 * Each call starts the suspend function on the calling thread with one shared continuation
 * (`startCoroutineUninterceptedOrReturn`): no coroutine, no dispatcher, no allocation of ours, so
 * the benchmark measures the library's own path. If the function ever suspends, the call throws
 * [IllegalStateException] at once (the benchmark would otherwise be measuring something else); the
 * abandoned call's later resumption is ignored.
 *
 * Thread-safe: the continuation keeps no state, so threads can share it.
 */
class DirectCaller(client: QueryClient) {
    private val fetch: suspend (QueryOptions<Any?>) -> Any? = client::fetchQuery
    private val invalidate: suspend (QueryKey) -> Unit = client::invalidateQueries

    /** `client.fetchQuery(options)`, which must be a fresh hit. */
    fun fetchQuery(options: QueryOptions<*>): Any? {
        @Suppress("UNCHECKED_CAST")
        val result = fetch.startCoroutineUninterceptedOrReturn(options as QueryOptions<Any?>, MustNotResume)
        check(result !== COROUTINE_SUSPENDED) { "fetchQuery(${options.queryKey}) suspended: it was not a fresh hit" }
        return result
    }

    /** `client.invalidateQueries(prefix)`, which must not suspend (no matched query is active). */
    fun invalidateQueries(prefix: QueryKey) {
        val result = invalidate.startCoroutineUninterceptedOrReturn(prefix, MustNotResume)
        check(result !== COROUTINE_SUSPENDED) { "invalidateQueries($prefix) suspended: a matched query was active" }
    }

    private object MustNotResume : Continuation<Any?> {
        override val context: CoroutineContext get() = EmptyCoroutineContext

        /** Only reached after [fetchQuery] or [invalidateQueries] already threw: nothing waits for it. */
        override fun resumeWith(result: Result<Any?>) = Unit
    }
}
