package dev.stackquery

import kotlinx.coroutines.flow.StateFlow

/**
 * An [InfiniteQueryObserver] that also shows its pages through a `select` function, from
 * `QueryClient.watchInfinite(options, select)` (TanStack's `useInfiniteQuery({ select })`): the
 * pages flattened into one list, say. The page flags ([InfiniteQueryState.hasNextPage]…) still come
 * from the raw pages.
 */
public interface SelectedInfiniteQueryObserver<T, P, R> : InfiniteQueryObserver<T, P> {
    /**
     * `select(pages)` of the current pages, or `null` before the first page arrived. `select` runs
     * only when the pages change (a new [InfiniteData] instance), and its result is structurally
     * shared with the previous one ([StructuralSharing.replaceEqualDeep]), so an equal result keeps
     * the previous reference and is not emitted again. Collecting it makes the observer active. If
     * `select` throws, the failure is logged and the value stays as it was.
     */
    public val selected: StateFlow<R?>
}
