package dev.stackquery.future

import dev.stackquery.QueryFunctionContext

/**
 * A [BlockingQueryFunction] that reads its [QueryFunctionContext] (the key, the options' meta,
 * the client); it runs on the executor given with it, and is interrupted when the fetch is
 * cancelled.
 */
public fun interface BlockingQueryFunctionWithContext<T> {
    /** Fetches the data for [context], blocking; throws to fail the attempt. */
    @Throws(Exception::class)
    public fun fetch(context: QueryFunctionContext): T
}
