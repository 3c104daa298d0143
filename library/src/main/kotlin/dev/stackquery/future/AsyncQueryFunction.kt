package dev.stackquery.future

import java.util.concurrent.CompletionStage

/**
 * A query function for Java callers: starts fetching and returns the pending result.
 *
 * ```java
 * QueryOptions<User> opts = QueryOptions.<User>builder(QueryKey.of("user", 42), () -> api.userAsync(42)).build();
 * ```
 *
 * It is called on the client's dispatcher, at most once at a time per key; cancelling the fetch
 * (`cancelQueries`, `removeQueries`, …) cancels the returned stage's `CompletableFuture`, if it
 * is one.
 */
public fun interface AsyncQueryFunction<T> {
    /** Starts the fetch; the stage completes with the data or the error. */
    public fun fetch(): CompletionStage<T>
}
