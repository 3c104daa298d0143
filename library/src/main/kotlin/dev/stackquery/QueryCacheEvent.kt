package dev.stackquery

/**
 * Something that happened in a [QueryClient]'s cache, published on [QueryClient.events].
 *
 * Events are emitted after the change they describe is visible, in order per key. They are
 * delivered through a buffer: a collector that falls more than 1024 events behind loses the oldest
 * ones rather than slowing the cache down. Collect them for logging, metrics or devtools.
 */
public sealed class QueryCacheEvent {
    /** The key of the query the event is about. */
    public abstract val queryKey: QueryKey

    /** A query was created in memory. */
    public class Added internal constructor(override val queryKey: QueryKey) : QueryCacheEvent() {
        override fun toString(): String = "Added($queryKey)"
    }

    /** A query's state was replaced by [state]. */
    public class Updated internal constructor(
        override val queryKey: QueryKey,
        public val state: QueryState<*>,
    ) : QueryCacheEvent() {
        override fun toString(): String = "Updated($queryKey, $state)"
    }

    /** A query was removed from memory, for [cause]. */
    public class Removed internal constructor(
        override val queryKey: QueryKey,
        public val cause: RemovalCause,
    ) : QueryCacheEvent() {
        override fun toString(): String = "Removed($queryKey, $cause)"
    }

    /**
     * A fetch of the query's function started (one per shared execution, not per caller), for
     * [reason].
     */
    public class FetchStarted internal constructor(
        override val queryKey: QueryKey,
        public val reason: FetchReason,
    ) : QueryCacheEvent() {
        override fun toString(): String = "FetchStarted($queryKey, $reason)"
    }

    /**
     * A fetch settled (success, failure after all attempts, or cancellation) leaving [state].
     *
     * @property isCancelled true when the fetch was cancelled (`cancelQueries`, a removal, a
     *   refetch that cancelled it, or the client closing) rather than finished: [state] is then
     *   the state it reverted to, or the cancellation error with `cancelQueries(revert = false)`.
     *   When false, [state] is the fetch's own result: `SUCCESS`, or `ERROR` after all attempts.
     */
    public class FetchSettled internal constructor(
        override val queryKey: QueryKey,
        public val state: QueryState<*>,
        public val isCancelled: Boolean,
    ) : QueryCacheEvent() {
        override fun toString(): String =
            if (isCancelled) "FetchSettled($queryKey, $state, cancelled)" else "FetchSettled($queryKey, $state)"
    }

    /** An observer attached to the query (its first subscriber arrived); [observerCount] includes it. */
    public class ObserverAdded internal constructor(
        override val queryKey: QueryKey,
        public val observerCount: Int,
    ) : QueryCacheEvent() {
        override fun toString(): String = "ObserverAdded($queryKey, $observerCount)"
    }

    /** An observer detached from the query (its last subscriber left); [observerCount] are left. */
    public class ObserverRemoved internal constructor(
        override val queryKey: QueryKey,
        public val observerCount: Int,
    ) : QueryCacheEvent() {
        override fun toString(): String = "ObserverRemoved($queryKey, $observerCount)"
    }

    /** Why a query left memory. */
    public enum class RemovalCause {
        /** `removeQueries` or `clear`. */
        EXPLICIT,

        /** Inactive for longer than its `gcTime`. */
        GC,

        /** Evicted as the least recently used inactive query when the cache was full. */
        EVICTED,

        /** The client was closed. */
        CLOSED,
    }
}
