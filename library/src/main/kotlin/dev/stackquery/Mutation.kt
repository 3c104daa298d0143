package dev.stackquery

import kotlinx.coroutines.flow.StateFlow

/**
 * A change to server data, from [QueryClient.mutation]: runs [MutationOptions.mutationFn] with
 * its callbacks and publishes the latest run's [state].
 *
 * ```kotlin
 * val rename = client.mutation(MutationOptions<User, String, Unit>(mutationFn = { api.rename(42, it) }, invalidates = listOf(queryKey("user"))))
 * val user = rename.mutate("Ada")
 * ```
 *
 * **Concurrent calls** of [mutate] on one mutation all run (in parallel, unless they share a
 * [MutationOptions.scope]); each caller gets its own result, and [state] follows the latest
 * submitted run (last wins): an earlier run that settles later does not overwrite it.
 *
 * **Cancellation.** A run executes in the client's scope: a caller cancelled while waiting stops
 * waiting, and the run completes (a half-applied change is worse than a late answer). Closing the
 * client cancels runs in progress; their state becomes ERROR with the cancellation.
 *
 * Thread-safe.
 */
public interface Mutation<TData, TVariables> {
    /** The latest run's state; IDLE before the first run and after [reset]. */
    public val state: StateFlow<MutationState<TData, TVariables>>

    /**
     * Runs the mutation with [variables] and returns its result.
     *
     * @throws Throwable the error of `onMutate` or of the last attempt of the mutation function.
     * @throws QueryClientClosedException when the client is closed.
     */
    public suspend fun mutate(variables: TVariables): TData

    /**
     * Subscribes [listener]: called at once, on this thread, with the current state, then on the
     * client's dispatcher with each change (conflated like a `StateFlow`: a listener slower than
     * the changes sees the latest). Exceptions it throws are logged.
     */
    public fun subscribe(listener: MutationListener<TData, TVariables>): Subscription

    /** Puts the state back to IDLE (listeners are told); a run in progress no longer updates it. */
    public fun reset()
}
