package dev.stackquery

import kotlinx.coroutines.CancellationException

/**
 * The cause a waiting caller sees when the shared fetch it waited for was cancelled by the
 * client: `cancelQueries`, `removeQueries`, `resetQueries`, `clear` or `close`.
 *
 * It is a [CancellationException], like the one `Deferred.await()` throws for a cancelled
 * `Deferred`: the fetch was cancelled, not failed, and the query's state went back to what it was
 * before the fetch (with `fetchStatus = IDLE`). A caller's own cancellation is reported as that
 * caller's ordinary [CancellationException] and never cancels the shared fetch.
 */
public class QueryCancelledException internal constructor(
    /** The key of the query whose fetch was cancelled. */
    public val queryKey: QueryKey,
    reason: String,
) : CancellationException("fetch of $queryKey cancelled: $reason")
