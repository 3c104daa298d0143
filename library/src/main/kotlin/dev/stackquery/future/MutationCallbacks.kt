package dev.stackquery.future

import java.util.concurrent.CompletionStage

/** `onSuccess` for Java: the result, the variables and the `onMutate` context (or `null`). */
public fun interface MutationSuccessCallback<D, V, C> {
    /** Called once per successful run. */
    public fun onSuccess(data: D, variables: V, context: C?)
}

/** `onError` for Java: the error, the variables and the `onMutate` context (or `null`). */
public fun interface MutationErrorCallback<V, C> {
    /** Called once per failed run. */
    public fun onError(error: Throwable, variables: V, context: C?)
}

/** `onSettled` for Java: the result or the error, the variables and the `onMutate` context. */
public fun interface MutationSettledCallback<D, V, C> {
    /** Called last in every run. */
    public fun onSettled(data: D?, error: Throwable?, variables: V, context: C?)
}

/** `onSuccess` for Java work the run waits for: the run goes on once the returned stage completes. */
public fun interface AsyncMutationSuccessCallback<D, V, C> {
    /** Called once per successful run. */
    public fun onSuccess(data: D, variables: V, context: C?): CompletionStage<*>
}

/** `onError` for Java work the run waits for (see [AsyncMutationSuccessCallback]). */
public fun interface AsyncMutationErrorCallback<V, C> {
    /** Called once per failed run. */
    public fun onError(error: Throwable, variables: V, context: C?): CompletionStage<*>
}

/** `onSettled` for Java work the run waits for (see [AsyncMutationSuccessCallback]). */
public fun interface AsyncMutationSettledCallback<D, V, C> {
    /** Called last in every run. */
    public fun onSettled(data: D?, error: Throwable?, variables: V, context: C?): CompletionStage<*>
}
