package dev.stackquery

/** Receives the states of a [Mutation], from [Mutation.subscribe]. */
@JvmSuppressWildcards // Java sees onState(MutationState<D, V>)
public fun interface MutationListener<in TData, in TVariables> {
    /** Called with the mutation's current state when subscribing, then with its changes. */
    public fun onState(state: MutationState<TData, TVariables>)
}
