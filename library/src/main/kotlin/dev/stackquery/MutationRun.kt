package dev.stackquery

/**
 * An immutable snapshot of one run of a [Mutation] (one [Mutation.mutate] call) as the client's
 * mutation cache holds it: returned by [QueryClient.mutations], carried by [MutationCacheEvent]s
 * and passed to the [MutationCacheCallbacks]. TanStack's `Mutation` as `mutationCache.findAll`
 * returns it. Taking a snapshot never changes the run.
 *
 * A run enters the cache when it is submitted (PENDING, waiting for its scope included) and leaves
 * it [MutationOptions.gcTime] after it settled (see [QueryClient.mutations]).
 *
 * @property mutationId the run's number in its client: unique, increasing in submission order.
 * @property mutationKey the [MutationOptions.mutationKey] of the run's options; `null` if none.
 * @property state the run's own state (not the latest run of its [Mutation]): PENDING until it
 *   settles in SUCCESS or ERROR; never IDLE.
 * @property meta the [MutationOptions.meta] of the run's options.
 * @property scope the [MutationOptions.scope] of the run's options; `null` if none.
 */
public class MutationRun internal constructor(
    public val mutationId: Long,
    public val mutationKey: QueryKey?,
    public val state: MutationState<*, *>,
    public val meta: Map<String, Any?>,
    public val scope: String?,
) {
    /** The run's [MutationState.status]. */
    public val status: MutationStatus get() = state.status

    /** The run's variables ([MutationState.variables]). */
    public val variables: Any? get() = state.variables

    /** When the run was submitted, epoch ms from the client's clock ([MutationState.submittedAt]). */
    public val submittedAt: Long get() = state.submittedAt

    override fun equals(other: Any?): Boolean = other is MutationRun && mutationId == other.mutationId &&
        mutationKey == other.mutationKey && state == other.state && meta == other.meta && scope == other.scope

    override fun hashCode(): Int = (mutationId.hashCode() * 31 + (mutationKey?.hashCode() ?: 0)) * 31 + state.hashCode()

    override fun toString(): String =
        "MutationRun(mutationId=$mutationId, mutationKey=$mutationKey, state=$state, meta=$meta, scope=$scope)"
}
