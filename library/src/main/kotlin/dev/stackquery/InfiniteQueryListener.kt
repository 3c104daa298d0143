package dev.stackquery

/** Receives an [InfiniteQueryObserver]'s states; see [QueryListener] for the delivery rules. */
public fun interface InfiniteQueryListener<T, P> {
    /** Called with the observer's current state when subscribing, then with each distinct change. */
    public fun onState(state: InfiniteQueryState<T, P>)
}
