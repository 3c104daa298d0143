package dev.stackquery.future

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
