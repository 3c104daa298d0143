package dev.stackquery

/**
 * A read-only view of one cached query, as the function forms of [QueryOptions] receive it
 * ([QueryOptions.staleTimeFunction], [QueryOptions.enabledFunction],
 * [QueryOptions.refetchIntervalFunction], [QueryOptions.placeholderDataFunction]): its key and
 * its raw state at the moment of the call (the cached data, never an observer's `select` result).
 *
 * @property queryKey the query's key.
 * @property state the query's state when the function is called.
 */
public class QueryView<T>(
    public val queryKey: QueryKey,
    public val state: QueryState<T>,
) {
    override fun toString(): String = "QueryView($queryKey, $state)"
}
