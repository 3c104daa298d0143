package dev.stackquery.future

import dev.stackquery.QueryFunctionContext
import java.util.concurrent.CompletionStage

/**
 * An [AsyncQueryFunction] that reads its [QueryFunctionContext] (the key, the options' meta, the
 * client), as TanStack's query function does:
 *
 * ```java
 * QueryOptions<User> opts = QueryOptions.<User>builder(QueryKey.of("user", 42),
 *         context -> api.userAsync((Long) context.getQueryKey().get(1))).build(); // an Int segment reads back as a Long
 * ```
 */
public fun interface AsyncQueryFunctionWithContext<T> {
    /** Starts the fetch for [context]; the stage completes with the data or the error. */
    public fun fetch(context: QueryFunctionContext): CompletionStage<T>
}
