package dev.stackquery.future

/** A function of three arguments, for Java callers: combines three results (see `FutureQueryClient.parallelQueries`). */
public fun interface TriFunction<A, B, C, R> {
    /** The result of [a], [b] and [c]. */
    public fun apply(a: A, b: B, c: C): R
}
