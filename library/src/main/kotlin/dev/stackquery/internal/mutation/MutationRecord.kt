package dev.stackquery.internal.mutation

import dev.stackquery.MutationRun
import dev.stackquery.MutationState
import dev.stackquery.QueryKey
import dev.stackquery.internal.client.RunConditions
import kotlinx.coroutines.Job

/**
 * One run of a mutation as the client's mutation cache ([MutationRegistry]) holds it: what the
 * run's options say about it, and the run's own state. [state], [inCache] and [gcTimer] change only under
 * the registry's lock; [onChange] tells the run's `Mutation` (which shows it while it is the
 * latest run) after each change, under that lock.
 */
internal class MutationRecord<D, V>(
    val id: Long,
    val mutationKey: QueryKey?,
    val meta: Map<String, Any?>,
    val scope: String?,
    /** How long the run stays in the cache once settled, resolved against the client's default; MAX_VALUE: forever. */
    val gcTimeMillis: Long,
    initial: MutationState<D, V>,
    val onChange: (MutationRecord<D, V>) -> Unit,
    /** Completed when the run has ended (settled, or cancelled before it could settle). */
    val finished: Job,
) {
    /**
     * While the run is paused (from its submission when it was submitted offline, until it gets its
     * turn): the conditions that let it continue (`resumePausedMutations` waits for the runs they
     * allow); `null` otherwise.
     */
    @Volatile
    var resumesWhen: ((RunConditions.Snapshot) -> Boolean)? = null

    @Volatile
    var state: MutationState<D, V> = initial

    /** False once the run left the cache (or was never listed, the client having closed). */
    var inCache: Boolean = true

    /** The coroutine that removes the settled run once its gcTime is up, if any; cancelled when it leaves earlier. */
    var gcTimer: Job? = null

    /** The run as the public API shows it, with its current state. */
    fun snapshot(): MutationRun = MutationRun(id, mutationKey, state, meta, scope)
}
