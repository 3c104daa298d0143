package dev.stackquery

/**
 * A write function that invalidates cached queries after it succeeds, from
 * [QueryClient.invalidating]. A failure is thrown and invalidates nothing.
 *
 * ```kotlin
 * val rename = client.invalidating(queryKey("user")) { patch: UserPatch -> api.update(patch) }
 * rename(patch)   // then every ["user", …] query is stale (active ones refetched)
 * ```
 */
public class InvalidatingFunction<A, R> internal constructor(
    private val client: QueryClient,
    private val prefixes: List<QueryKey>,
    private val function: suspend (A) -> R,
) {
    /** Runs the function with [arg]; on success invalidates the prefixes (waiting for refetches) and returns the result. */
    public suspend operator fun invoke(arg: A): R {
        val result = function(arg)
        for (prefix in prefixes) client.invalidateQueries(prefix)
        return result
    }
}

/** Wraps [function] so that each success invalidates every query under [prefixes]. */
public fun <A, R> QueryClient.invalidating(
    vararg prefixes: QueryKey,
    function: suspend (A) -> R,
): InvalidatingFunction<A, R> = InvalidatingFunction(this, prefixes.toList(), function)
