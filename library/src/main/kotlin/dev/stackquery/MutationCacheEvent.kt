package dev.stackquery

/**
 * Something that happened in a [QueryClient]'s mutation cache, published on
 * [QueryClient.mutationEvents] (TanStack's `mutationCache.subscribe` events `added`, `updated`,
 * `removed`).
 *
 * A run is [Added] when it is submitted (already PENDING), [Updated] at each change of its own
 * state (its `onMutate` context, each failed attempt, its settling), and [Removed] when it leaves
 * the cache. Events are emitted after the change they describe is visible, in order per run,
 * through a buffer: a collector that falls more than 1024 events behind loses the oldest ones
 * rather than slowing mutations down.
 */
public sealed class MutationCacheEvent {
    /** A snapshot of the run the event is about, taken when the event happened. */
    public abstract val run: MutationRun

    /** The run's [MutationRun.mutationId]. */
    public val mutationId: Long get() = run.mutationId

    /** The run's [MutationRun.mutationKey]. */
    public val mutationKey: QueryKey? get() = run.mutationKey

    /** A run was submitted and entered the cache, PENDING. */
    public class Added internal constructor(override val run: MutationRun) : MutationCacheEvent() {
        override fun toString(): String = "Added($run)"
    }

    /** A run's state was replaced by [state]. */
    public class Updated internal constructor(override val run: MutationRun) : MutationCacheEvent() {
        /** The run's new state. */
        public val state: MutationState<*, *> get() = run.state

        override fun toString(): String = "Updated($run)"
    }

    /** A settled run left the cache, for [cause]. */
    public class Removed internal constructor(
        override val run: MutationRun,
        public val cause: RemovalCause,
    ) : MutationCacheEvent() {
        override fun toString(): String = "Removed($run, $cause)"
    }

    /** Why a run left the cache. */
    public enum class RemovalCause {
        /** Settled for longer than its [MutationOptions.gcTime]. */
        GC,

        /** [QueryClient.clear]. */
        EXPLICIT,

        /** The client was closed. */
        CLOSED,
    }
}
