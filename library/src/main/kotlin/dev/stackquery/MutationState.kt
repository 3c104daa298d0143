package dev.stackquery

/**
 * An immutable snapshot of a [Mutation]'s latest run. Replaced atomically on each change.
 *
 * @property status where the latest run is.
 * @property data the latest run's result, once it succeeded (`null` otherwise).
 * @property error the latest run's error, once it failed (`null` otherwise).
 * @property variables the latest run's variables (`null` when idle).
 * @property submittedAt when the latest run was submitted, epoch ms from the client's clock; 0 when idle.
 * @property settledAt when it settled, epoch ms; 0 while idle or pending.
 * @property failureCount failed attempts of the mutation function in the latest run.
 * @property context what [MutationOptions.onMutate] returned in the latest run, once it returned
 *   (`null` before, without `onMutate`, or when it failed). Typed `Any?` because a [Mutation] does
 *   not carry its context type: it is the options' `TContext`, so a cast to it is safe.
 * @property failureReason the error of the latest failed attempt of the mutation function (or of
 *   `onMutate`) in the latest run, as TanStack's `failureReason`: set as each attempt fails, kept
 *   while the run retries, `null` once the run succeeded or while no attempt has failed; equal to
 *   [error] once the run failed.
 * @property isPaused whether the latest run, PENDING, waits for the network (see
 *   [MutationOptions.networkMode]) or, before a retry, for focus; false once it settles.
 */
public class MutationState<out TData, out TVariables> internal constructor(
    public val status: MutationStatus,
    public val data: TData?,
    public val error: Throwable?,
    public val variables: TVariables?,
    public val submittedAt: Long,
    public val settledAt: Long,
    public val failureCount: Int,
    public val context: Any? = null,
    public val failureReason: Throwable? = null,
    public val isPaused: Boolean = false,
) {
    /** Status [MutationStatus.IDLE]. */
    public val isIdle: Boolean get() = status == MutationStatus.IDLE

    /** Status [MutationStatus.PENDING]. */
    public val isPending: Boolean get() = status == MutationStatus.PENDING

    /** Status [MutationStatus.SUCCESS]. */
    public val isSuccess: Boolean get() = status == MutationStatus.SUCCESS

    /** Status [MutationStatus.ERROR]. */
    public val isError: Boolean get() = status == MutationStatus.ERROR

    override fun equals(other: Any?): Boolean =
        other is MutationState<*, *> && status == other.status && data == other.data && error == other.error &&
            variables == other.variables && submittedAt == other.submittedAt && settledAt == other.settledAt &&
            failureCount == other.failureCount && context == other.context && failureReason == other.failureReason &&
            isPaused == other.isPaused

    override fun hashCode(): Int =
        ((status.hashCode() * 31 + (data?.hashCode() ?: 0)) * 31 + (variables?.hashCode() ?: 0)) * 31 + failureCount

    override fun toString(): String = "MutationState(status=$status, data=$data, error=$error, variables=$variables, " +
        "submittedAt=$submittedAt, settledAt=$settledAt, failureCount=$failureCount, context=$context, " +
        "failureReason=$failureReason, isPaused=$isPaused)"

    public companion object {
        private val IDLE = MutationState(MutationStatus.IDLE, null, null, null, 0, 0, 0)

        /** The state of a mutation that never ran (or was reset): IDLE, nothing else set. */
        @JvmStatic
        @Suppress("UNCHECKED_CAST") // IDLE holds no D or V (all null), so it is every MutationState<D, V>
        public fun <D, V> idle(): MutationState<D, V> = IDLE as MutationState<D, V>
    }
}
