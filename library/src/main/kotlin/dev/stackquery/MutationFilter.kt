package dev.stackquery

/**
 * Selects runs of the client's mutation cache, for [QueryClient.mutations] and
 * [QueryClient.isMutating]; TanStack's `MutationFilters`.
 *
 * A run matches when every condition set here holds:
 * - [mutationKey]: `null` matches every run (with a mutation key or not); otherwise the run's
 *   [MutationOptions.mutationKey] must start with it (prefix match), or equal it when [exact] is
 *   true; a run without a mutation key never matches a non-null [mutationKey];
 * - [status]: when not `null`, the run's [MutationState.status] must equal it;
 * - [predicate]: when not `null`, it must accept the run's snapshot.
 *
 * Filters are immutable.
 *
 * ```kotlin
 * val failedSaves = client.mutations(MutationFilter(queryKey("user", "save"), status = MutationStatus.ERROR))
 * ```
 */
public class MutationFilter(
    public val mutationKey: QueryKey? = null,
    @get:JvmName("isExact")
    public val exact: Boolean = false,
    public val status: MutationStatus? = null,
    public val predicate: Predicate? = null,
) {
    /** A custom condition on a run. Must be fast and side-effect free; it runs under the cache's lock. */
    public fun interface Predicate {
        /** True to select [run]. */
        public fun test(run: MutationRun): Boolean
    }

    /** True when [run] meets every condition of this filter. */
    public fun matches(run: MutationRun): Boolean {
        if (status != null && run.status != status) return false
        if (!matchesKey(run.mutationKey)) return false
        return predicate?.test(run) ?: true
    }

    internal fun matchesKey(key: QueryKey?): Boolean {
        val wanted = mutationKey ?: return true
        if (key == null) return false
        return if (exact) key == wanted else key.startsWith(wanted)
    }

    override fun toString(): String =
        "MutationFilter(mutationKey=$mutationKey, exact=$exact, status=$status, predicate=$predicate)"

    /** Builds a [MutationFilter] from Java; unset conditions match every run. */
    public class Builder internal constructor() {
        private var mutationKey: QueryKey? = null
        private var exact = false
        private var status: MutationStatus? = null
        private var predicate: Predicate? = null

        /** Selects runs whose mutation key starts with [prefix] (or equals it, with [exact]). */
        public fun mutationKey(prefix: QueryKey): Builder = apply { mutationKey = prefix }

        /** With `true`, [mutationKey] must equal the run's mutation key. */
        public fun exact(exact: Boolean): Builder = apply { this.exact = exact }

        /** Selects runs whose status is [status]. */
        public fun status(status: MutationStatus): Builder = apply { this.status = status }

        /** Selects the runs [predicate] accepts. */
        public fun predicate(predicate: Predicate): Builder = apply { this.predicate = predicate }

        /** The filter set so far. */
        public fun build(): MutationFilter = MutationFilter(mutationKey, exact, status, predicate)
    }

    public companion object {
        /** A [Builder] that matches every run until conditions are added. */
        @JvmStatic
        public fun builder(): Builder = Builder()

        /** Matches every run. */
        @JvmField
        public val ALL: MutationFilter = MutationFilter()

        /** Matches every run whose mutation key starts with [prefix]. */
        @JvmStatic
        public fun prefix(prefix: QueryKey): MutationFilter = MutationFilter(prefix)

        /** Matches the runs whose mutation key equals [key]. */
        @JvmStatic
        public fun exact(key: QueryKey): MutationFilter = MutationFilter(key, exact = true)
    }
}
