package dev.stackquery

/** Receives the events of a client's mutation cache, from [QueryClient.subscribeMutationEvents]. */
public fun interface MutationEventListener {
    /** Called with each [MutationCacheEvent], in the order they were emitted, one call at a time. */
    public fun onEvent(event: MutationCacheEvent)
}
