package dev.stackquery

/** Where a [Mutation] is. See [MutationState.status]. */
public enum class MutationStatus {
    /** Never run, or [Mutation.reset]. */
    IDLE,

    /** Running: waiting for its scope, in `onMutate`, in the mutation function or its callbacks. */
    PENDING,

    /** The last run succeeded. */
    SUCCESS,

    /** The last run failed (in `onMutate` or the mutation function, after its retries). */
    ERROR,
}
