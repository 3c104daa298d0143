package dev.stackquery

import dev.stackquery.future.MutationCacheErrorCallback
import dev.stackquery.future.MutationCacheMutateCallback
import dev.stackquery.future.MutationCacheSettledCallback
import dev.stackquery.future.MutationCacheSuccessCallback

/**
 * Callbacks called for every mutation run of a client, whatever its options: the place for a
 * global error toast, logging or metrics (TanStack's `new MutationCache({ onMutate, onError,
 * onSuccess, onSettled })`). Set with [QueryClientConfig.mutationCacheCallbacks].
 *
 * ```kotlin
 * val config = QueryClientConfig(
 *     mutationCacheCallbacks = MutationCacheCallbacks(onError = { error, _, _, run -> toast("${run.meta["action"]} failed: ${error.message}") }),
 * )
 * ```
 *
 * **Order**, as TanStack's: each cache-wide callback runs just before the options' callback of
 * the same kind: cache [onMutate] → options `onMutate` → the mutation function → cache
 * [onSuccess] → options `onSuccess` → invalidations → cache [onSettled] → options `onSettled`;
 * on failure cache [onError] → options `onError` → cache [onSettled] → options `onSettled`. The
 * run settles after them; then the per-call callbacks of `Mutation.mutate` run.
 *
 * **Failures.** An exception thrown by any of them is logged (SLF4J, logger
 * `dev.stackquery.internal.client.ClientRuntime`) and changes nothing: the run goes on as if the
 * callback had returned (a throwing [onMutate] does not fail the run, unlike the options'
 * `onMutate`). They run in the run's coroutine, in the client's scope; they are suspend
 * functions and the run waits for them.
 *
 * Arguments are typed `Any?`: the cache holds runs of every type. `run` is the run's snapshot,
 * still PENDING, with its [MutationRun.mutationKey], [MutationRun.meta] and (once `onMutate`
 * returned) its [MutationState.context].
 *
 * @property onMutate called as every run starts (after waiting for its scope), with its variables.
 * @property onSuccess called with the result, the variables and the context of every successful run.
 * @property onError called with the error, the variables and the context of every failed run.
 * @property onSettled called with the result or the error, the variables and the context of every run.
 */
public class MutationCacheCallbacks(
    @get:JvmSynthetic public val onMutate: (suspend (variables: Any?, run: MutationRun) -> Unit)? = null,
    @get:JvmSynthetic public val onSuccess:
    (suspend (data: Any?, variables: Any?, context: Any?, run: MutationRun) -> Unit)? = null,
    @get:JvmSynthetic public val onError:
    (suspend (error: Throwable, variables: Any?, context: Any?, run: MutationRun) -> Unit)? = null,
    @get:JvmSynthetic public val onSettled:
    (suspend (data: Any?, error: Throwable?, variables: Any?, context: Any?, run: MutationRun) -> Unit)? = null,
) {
    override fun toString(): String = "MutationCacheCallbacks(onMutate=${onMutate != null}, " +
        "onSuccess=${onSuccess != null}, onError=${onError != null}, onSettled=${onSettled != null})"

    /**
     * Builds [MutationCacheCallbacks] from Java; unset callbacks are not called.
     *
     * ```java
     * QueryClientConfig config = QueryClientConfig.builder()
     *     .mutationCacheCallbacks(MutationCacheCallbacks.builder()
     *         .onError((error, variables, context, run) -> log.warn("{} failed", run.getMutationKey(), error))
     *         .build())
     *     .build();
     * ```
     */
    public class Builder internal constructor() {
        private var onMutate: (suspend (Any?, MutationRun) -> Unit)? = null
        private var onSuccess: (suspend (Any?, Any?, Any?, MutationRun) -> Unit)? = null
        private var onError: (suspend (Throwable, Any?, Any?, MutationRun) -> Unit)? = null
        private var onSettled: (suspend (Any?, Throwable?, Any?, Any?, MutationRun) -> Unit)? = null

        /** See [MutationCacheCallbacks.onMutate]. */
        public fun onMutate(callback: MutationCacheMutateCallback): Builder =
            apply { onMutate = { variables, run -> callback.onMutate(variables, run) } }

        /** See [MutationCacheCallbacks.onSuccess]. */
        public fun onSuccess(callback: MutationCacheSuccessCallback): Builder = apply {
            onSuccess = { data, variables, context, run -> callback.onSuccess(data, variables, context, run) }
        }

        /** See [MutationCacheCallbacks.onError]. */
        public fun onError(callback: MutationCacheErrorCallback): Builder = apply {
            onError = { error, variables, context, run -> callback.onError(error, variables, context, run) }
        }

        /** See [MutationCacheCallbacks.onSettled]. */
        public fun onSettled(callback: MutationCacheSettledCallback): Builder = apply {
            onSettled = { data, error, variables, context, run ->
                callback.onSettled(data, error, variables, context, run)
            }
        }

        /** The callbacks set so far. */
        public fun build(): MutationCacheCallbacks = MutationCacheCallbacks(onMutate, onSuccess, onError, onSettled)
    }

    public companion object {
        /** No callbacks: the default of [QueryClientConfig.mutationCacheCallbacks]. */
        @JvmField
        public val NONE: MutationCacheCallbacks = MutationCacheCallbacks()

        /** A [Builder] with no callback set, for Java. */
        @JvmStatic
        public fun builder(): Builder = Builder()
    }
}
