package dev.stackquery.future

import java.util.concurrent.CompletionStage

/**
 * The page function of an infinite query for Java callers: starts fetching the page of
 * [pageParam] and returns the pending page. See `InfiniteQueryOptions.builder`. Called on the
 * client's dispatcher; cancelling the fetch cancels the returned stage's `CompletableFuture`, if
 * it is one.
 */
public fun interface AsyncPageFunction<P, T> {
    /** Starts fetching the page of [pageParam]; the stage completes with the page or the error. */
    public fun fetch(pageParam: P): CompletionStage<T>
}
