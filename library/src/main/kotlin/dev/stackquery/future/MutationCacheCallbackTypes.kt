package dev.stackquery.future

import dev.stackquery.MutationRun

/** The cache-wide `onMutate` for Java (see [dev.stackquery.MutationCacheCallbacks.onMutate]). */
public fun interface MutationCacheMutateCallback {
    /** Called as every run starts, with its variables and its snapshot. */
    public fun onMutate(variables: Any?, run: MutationRun)
}

/** The cache-wide `onSuccess` for Java (see [dev.stackquery.MutationCacheCallbacks.onSuccess]). */
public fun interface MutationCacheSuccessCallback {
    /** Called once per successful run, with its result, variables, `onMutate` context and snapshot. */
    public fun onSuccess(data: Any?, variables: Any?, context: Any?, run: MutationRun)
}

/** The cache-wide `onError` for Java (see [dev.stackquery.MutationCacheCallbacks.onError]). */
public fun interface MutationCacheErrorCallback {
    /** Called once per failed run, with its error, variables, `onMutate` context and snapshot. */
    public fun onError(error: Throwable, variables: Any?, context: Any?, run: MutationRun)
}

/** The cache-wide `onSettled` for Java (see [dev.stackquery.MutationCacheCallbacks.onSettled]). */
public fun interface MutationCacheSettledCallback {
    /** Called once per run as it settles, with its result or error, variables, context and snapshot. */
    public fun onSettled(data: Any?, error: Throwable?, variables: Any?, context: Any?, run: MutationRun)
}
