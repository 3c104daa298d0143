package dev.stackquery

/**
 * What a [Mutation] does: [mutationFn] and the callbacks around it.
 *
 * The optimistic-update pattern:
 * ```kotlin
 * val rename = client.mutation(MutationOptions<User, String, User?>(
 *     mutationFn = { name -> api.rename(42, name) },
 *     onMutate = { name ->
 *         client.cancelQueries(userKey)                                    // a refetch in flight must not overwrite us
 *         client.getQueryData<User>(userKey).also { previous ->            // the rollback context
 *             client.setQueryData<User>(userKey) { it?.copy(name = name) } // optimistic value
 *         }
 *     },
 *     onError = { _, _, previous -> client.setQueryData(userKey, previous) }, // roll back
 *     onSettled = { _, _, _, _ -> client.invalidateQueries(userKey) },        // then the server's truth
 * ))
 * ```
 *
 * A run goes: (wait for its [scope]) → [onMutate] → [mutationFn], retried as [retry] says →
 * [onSuccess] → invalidate [invalidates] → [onSettled]; or, on failure of `onMutate` or of the
 * last attempt, [onError] → [onSettled]. The value `onMutate` returns is the context passed to
 * the other callbacks (`null` if it failed or there is none). Exceptions thrown by `onSuccess`,
 * `onError` and `onSettled` are logged and never change the outcome nor re-run [mutationFn];
 * one thrown by `onMutate` fails the run without running [mutationFn].
 *
 * @property mutationFn performs the change; runs in the client's scope.
 * @property onMutate runs first; its result is the rollback context.
 * @property onSuccess called with the result, the variables and the context.
 * @property onError called with the error, the variables and the context.
 * @property onSettled called last, with the result or the error.
 * @property retry retries of a failed [mutationFn] attempt; default 0. Must be >= 0.
 * @property retryPolicy waits between attempts; `null` uses the client's [QueryClientConfig.retryPolicy].
 * @property mutationKey identifies the mutation for [QueryClient.isMutating]; optional.
 * @property invalidates key prefixes invalidated (active queries refetched, awaited) after success.
 * @property scope mutations with the same scope id run one after another, in submission order;
 *   `null` runs without waiting.
 * @throws IllegalArgumentException for `retry < 0`.
 */
public class MutationOptions<TData, TVariables, TContext>(
    public val mutationFn: suspend (TVariables) -> TData,
    public val onMutate: (suspend (TVariables) -> TContext)? = null,
    public val onSuccess: (suspend (TData, TVariables, TContext?) -> Unit)? = null,
    public val onError: (suspend (Throwable, TVariables, TContext?) -> Unit)? = null,
    public val onSettled: (suspend (TData?, Throwable?, TVariables, TContext?) -> Unit)? = null,
    public val retry: Int = 0,
    public val retryPolicy: RetryPolicy? = null,
    public val mutationKey: QueryKey? = null,
    public val invalidates: List<QueryKey> = emptyList(),
    public val scope: String? = null,
) {
    init {
        require(retry >= 0) { "retry must be >= 0, was $retry" }
    }

    override fun toString(): String =
        "MutationOptions(mutationKey=$mutationKey, retry=$retry, invalidates=$invalidates, scope=$scope)"
}
