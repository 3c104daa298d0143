package dev.stackquery.future

/**
 * A mutation function that blocks its thread, for `MutationOptions.builder(function, executor)`:
 * it runs on the executor the caller chose, never on the client's dispatcher.
 */
public fun interface BlockingMutationFunction<V, D> {
    /** Performs the change with [variables], blocking; throws to fail the attempt. */
    @Throws(Exception::class)
    public fun mutate(variables: V): D
}
