package dev.stackquery

import dev.stackquery.internal.query.PageDirection
import kotlinx.coroutines.currentCoroutineContext
import kotlin.coroutines.AbstractCoroutineContextElement
import kotlin.coroutines.CoroutineContext

/**
 * What a query function can know about the fetch it runs for, as TanStack's
 * `QueryFunctionContext`: the key, the options' [meta] and the [client]. It is an element of the
 * query function's coroutine context, so the simple `queryFn = { … }` form reads it when it needs
 * it:
 *
 * ```kotlin
 * val todos = QueryOptions(queryKey("todos", "done"), queryFn = {
 *     val context = queryFunctionContext()
 *     api.todos(filter = context.queryKey[1] as String, traceId = context.meta["traceId"])
 * })
 * ```
 *
 * Java query functions receive it as their parameter (`QueryOptions.builder(key, context -> …)`).
 * Cancellation, TanStack's `signal`, is the coroutine's own (or the returned future's).
 */
public class QueryFunctionContext internal constructor(
    /** The key of the query being fetched. */
    public val queryKey: QueryKey,
    /** The [QueryOptions.meta] of the options this fetch runs with. */
    public val meta: Map<String, Any?>,
    /** The client running the fetch (to read or seed other queries). */
    public val client: QueryClient,
    /** For an infinite query, the page this fetch loads (`null`: every page); see [InfiniteQueryOptions]. */
    internal val direction: PageDirection? = null,
) : AbstractCoroutineContextElement(Key) {
    /**
     * What an infinite query's page loader has done so far in this fetch, kept across its retry
     * attempts (the context lives as long as the fetch), so a retry resumes at the page that failed.
     */
    @Volatile
    internal var progress: Any? = null

    override fun toString(): String = "QueryFunctionContext(queryKey=$queryKey, meta=$meta)"

    /** The key of this element in a coroutine context. */
    public companion object Key : CoroutineContext.Key<QueryFunctionContext>
}

/**
 * The [QueryFunctionContext] of the fetch this coroutine runs for: call it from a query function
 * (or anything it calls in the same coroutine).
 *
 * @throws IllegalStateException when called outside a query function.
 */
public suspend fun queryFunctionContext(): QueryFunctionContext =
    checkNotNull(currentCoroutineContext()[QueryFunctionContext]) {
        "queryFunctionContext() was called outside a query function"
    }
