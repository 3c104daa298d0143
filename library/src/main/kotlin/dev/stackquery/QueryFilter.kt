package dev.stackquery

/**
 * Selects queries for the bulk operations of [QueryClient] (`invalidateQueries`,
 * `refetchQueries`, `cancelQueries`, `removeQueries`, `resetQueries`, `isFetching`).
 *
 * A query matches when every condition set here holds:
 * - [queryKey]: `null` matches every query, and so does the empty key unless [exact] is true;
 *   otherwise the query's key must start with it (prefix match), or equal it when [exact] is true;
 * - [type]: [Type.ACTIVE] queries have at least one observer, [Type.INACTIVE] have none;
 * - [stale]: when not `null`, the query's staleness (by its latest options) must equal it;
 * - [fetchStatus]: when not `null`, the query's [QueryState.fetchStatus] must equal it (as
 *   TanStack's `fetchStatus` filter: `FETCHING` selects the queries fetching now);
 * - [predicate]: when not `null`, it must accept the query.
 *
 * Key selection walks an index of key segments, so a prefix filter costs in proportion to the
 * queries it matches, not to the size of the cache. Filters are immutable.
 *
 * ```kotlin
 * client.invalidateQueries(QueryFilter(queryKey("user"), type = QueryFilter.Type.ACTIVE))
 * ```
 */
public class QueryFilter(
    public val queryKey: QueryKey? = null,
    @get:JvmName("isExact")
    public val exact: Boolean = false,
    public val type: Type = Type.ALL,
    public val stale: Boolean? = null,
    public val predicate: Predicate? = null,
    public val fetchStatus: FetchStatus? = null,
) {
    /** Which queries a filter selects by whether they are observed. */
    public enum class Type {
        /** Every query. */
        ALL,

        /** Queries with at least one observer. */
        ACTIVE,

        /** Queries with no observer. */
        INACTIVE,
    }

    /** A custom condition on a query's key and current state. Must be fast and side-effect free. */
    public fun interface Predicate {
        /** True to select the query with [key] and current [state]. */
        public fun test(key: QueryKey, state: QueryState<*>): Boolean
    }

    override fun toString(): String =
        "QueryFilter(queryKey=$queryKey, exact=$exact, type=$type, stale=$stale, predicate=$predicate, " +
            "fetchStatus=$fetchStatus)"

    /** Builds a [QueryFilter] from Java; unset conditions match every query. */
    public class Builder internal constructor() {
        private var queryKey: QueryKey? = null
        private var exact = false
        private var type = Type.ALL
        private var stale: Boolean? = null
        private var predicate: Predicate? = null
        private var fetchStatus: FetchStatus? = null

        /** Selects keys starting with [prefix] (or equal to it, with [exact]). */
        public fun queryKey(prefix: QueryKey): Builder = apply { queryKey = prefix }

        /** With `true`, [queryKey] must equal the query's key. */
        public fun exact(exact: Boolean): Builder = apply { this.exact = exact }

        /** Selects active or inactive queries; see [Type]. */
        public fun type(type: Type): Builder = apply { this.type = type }

        /** Selects stale (`true`) or fresh (`false`) queries. */
        public fun stale(stale: Boolean): Builder = apply { this.stale = stale }

        /** Selects the queries [predicate] accepts. */
        public fun predicate(predicate: Predicate): Builder = apply { this.predicate = predicate }

        /** Selects the queries whose fetch status is [fetchStatus]. */
        public fun fetchStatus(fetchStatus: FetchStatus): Builder = apply { this.fetchStatus = fetchStatus }

        /** The filter set so far. */
        public fun build(): QueryFilter = QueryFilter(queryKey, exact, type, stale, predicate, fetchStatus)
    }

    public companion object {
        /** A [Builder] that matches every query until conditions are added. */
        @JvmStatic
        public fun builder(): Builder = Builder()

        /** Matches every query. */
        @JvmField
        public val ALL: QueryFilter = QueryFilter()

        /** Matches every query whose key starts with [prefix]. */
        @JvmStatic
        public fun prefix(prefix: QueryKey): QueryFilter = QueryFilter(prefix)

        /** Matches only the query whose key equals [key]. */
        @JvmStatic
        public fun exact(key: QueryKey): QueryFilter = QueryFilter(key, exact = true)
    }
}
