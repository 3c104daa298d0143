package dev.stackquery

import java.util.function.Function

/**
 * A [QueryObserver] whose options can change, as [QueryClient.watch] returns it: the way to page
 * through keys with one observer (and one UI binding).
 *
 * ```kotlin
 * val observer = client.watch(pageOptions(1))
 * observer.setOptions(pageOptions(2))   // with keepPreviousData = true, page 1 stays visible while page 2 loads
 * ```
 *
 * @param Q the type of the query function's data.
 * @param T the type the observer shows (the same as [Q] unless `watch(options, select)` maps it).
 */
public interface SwitchableQueryObserver<Q, T> : QueryObserver<T> {
    /**
     * The options the observer currently uses: those given (to `watch` or [setOptions]) merged with
     * the client's defaults by prefix as they were then ([QueryClient.defaultQueryOptions] without
     * the client config); the same instance when no defaults matched.
     */
    public val options: QueryOptions<Q>

    /**
     * Switches to [options]. A new key detaches the observer from the old query and, if it is
     * active, attaches it to the new one (fetching as [QueryOptions.refetchOnSubscribe] says);
     * with [QueryOptions.keepPreviousData], the data shown so far stays, as placeholder data, until
     * the new query has data. The same key takes the new `enabled`, polling period and placeholder
     * at once, and, if it became enabled, fetches as [QueryOptions.refetchOnSubscribe] says.
     */
    public fun setOptions(options: QueryOptions<Q>)

    /**
     * [setOptions], also replacing the observer's `select` with [select] (which runs at once on
     * the data shown, then for each new data instance).
     */
    public fun setOptions(options: QueryOptions<Q>, select: Function<Q, T>)
}
