package dev.stackquery.future

import java.util.concurrent.CompletionStage

/** A mutation function for Java callers: starts the change and returns its pending result. */
public fun interface AsyncMutationFunction<V, D> {
    /** Starts the change with [variables]; the stage completes with the result or the error. */
    public fun mutate(variables: V): CompletionStage<D>
}
