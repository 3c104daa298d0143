package dev.stackquery.future

import dev.stackquery.Mutation

/**
 * Callbacks for one `mutate` call from Java, for [FutureQueryClient.mutate]: Java's form of
 * [Mutation.mutate]'s per-call `onSuccess`, `onError` and `onSettled` (same order, same rules: they
 * run after the run settled and after the options' callbacks; what they throw is logged and
 * changes nothing). The context argument is the `onMutate` context, typed `Object`. Immutable.
 *
 * ```java
 * futures.mutate(rename, "Grace", MutateCallbacks.<User, String>builder()
 *     .onSuccess((user, name, context) -> toast("Saved " + user.name()))
 *     .onError((error, name, context) -> toast(error.getMessage()))
 *     .build());
 * ```
 */
public class MutateCallbacks<D, V> private constructor(
    internal val onSuccess: MutationSuccessCallback<D, V, Any?>?,
    internal val onError: MutationErrorCallback<V, Any?>?,
    internal val onSettled: MutationSettledCallback<D, V, Any?>?,
) {
    override fun toString(): String =
        "MutateCallbacks(onSuccess=${onSuccess != null}, onError=${onError != null}, onSettled=${onSettled != null})"

    /** Builds [MutateCallbacks]; unset callbacks are not called. */
    public class Builder<D, V> internal constructor() {
        private var onSuccess: MutationSuccessCallback<D, V, Any?>? = null
        private var onError: MutationErrorCallback<V, Any?>? = null
        private var onSettled: MutationSettledCallback<D, V, Any?>? = null

        /** Called with the result, the variables and the context when this call's run succeeds. */
        public fun onSuccess(callback: MutationSuccessCallback<D, V, Any?>): Builder<D, V> =
            apply { onSuccess = callback }

        /** Called with the error, the variables and the context when this call's run fails. */
        public fun onError(callback: MutationErrorCallback<V, Any?>): Builder<D, V> = apply { onError = callback }

        /** Called last, with the result or the error, when this call's run settles. */
        public fun onSettled(callback: MutationSettledCallback<D, V, Any?>): Builder<D, V> =
            apply { onSettled = callback }

        /** The callbacks set so far. */
        public fun build(): MutateCallbacks<D, V> = MutateCallbacks(onSuccess, onError, onSettled)
    }

    public companion object {
        /** A [Builder] with no callback set. */
        @JvmStatic
        public fun <D, V> builder(): Builder<D, V> = Builder()
    }
}
