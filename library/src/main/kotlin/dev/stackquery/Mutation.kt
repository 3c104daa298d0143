package dev.stackquery

import kotlinx.coroutines.flow.StateFlow
import java.util.concurrent.Executor

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
 * submitted run (last wins): an earlier run that settles later does not overwrite it. Each run
 * also has its own entry in the client's mutation cache ([QueryClient.mutations]).
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
     * [mutate] with callbacks for this call only (TanStack's `mutate(variables, { onSuccess,
     * onError, onSettled })`), each `null` by default. They run in the run, after the run settled
     * (its [state] SUCCESS or ERROR, [QueryClient.isMutating] no longer counting it, the next run
     * of its [MutationOptions.scope] free to start: they may run it and wait for it) and after the
     * [MutationOptions] callbacks of the same kind: [onSuccess] then [onSettled] on success,
     * [onError] then [onSettled] on failure, with the result or the error, the variables and the
     * `onMutate` context (typed `Any?`: cast it to the options' `TContext`). This call returns (or
     * throws) once they returned. An exception they throw is logged and changes nothing: the
     * result, the error and the state stay as they were.
     *
     * **Overlapping calls.** Every call's callbacks run for that call's own run, even when later
     * calls of this mutation overlap it and even when its caller stopped waiting (was cancelled).
     * TanStack's `MutationObserver` calls them only for the latest `mutate` call, because an
     * observer follows one mutation at a time; here each call has its own run and its own result,
     * and the callbacks belong to it (only [state] is last-wins). They are not called for a run
     * cancelled by [QueryClient.close].
     *
     * ```kotlin
     * rename.mutate("Ada", onSuccess = { user, _, _ -> toast("Saved ${user.name}") }, onError = { e, _, _ -> toast(e.message) })
     * ```
     *
     * @throws Throwable the error of `onMutate` or of the last attempt of the mutation function.
     * @throws QueryClientClosedException when the client is closed.
     */
    public suspend fun mutate(
        variables: TVariables,
        onSuccess: (suspend (data: TData, variables: TVariables, context: Any?) -> Unit)? = null,
        onError: (suspend (error: Throwable, variables: TVariables, context: Any?) -> Unit)? = null,
        onSettled: (suspend (data: TData?, error: Throwable?, variables: TVariables, context: Any?) -> Unit)? = null,
    ): TData

    /**
     * Subscribes [listener]: called at once, on this thread, with the current state, then on the
     * client's dispatcher with each change (conflated like a `StateFlow`: a listener slower than
     * the changes sees the latest). Exceptions it throws are logged.
     */
    public fun subscribe(listener: MutationListener<TData, TVariables>): Subscription

    /**
     * Subscribes [listener], every state (the current one first) delivered through [executor] (a UI
     * thread, say), one at a time and in order, conflated like a `StateFlow`. Exceptions it throws
     * are logged.
     */
    public fun subscribe(listener: MutationListener<TData, TVariables>, executor: Executor): Subscription

    /** Puts the state back to IDLE (listeners are told); a run in progress no longer updates it. */
    public fun reset()
}
