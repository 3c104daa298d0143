package dev.stackquery

/**
 * Computes the param of the page after the last one (or before the first), as
 * [InfiniteQueryOptions.getNextPageParam] and [InfiniteQueryOptions.getPreviousPageParam] do:
 * given the page at that end, every page, that page's param and every param, it returns the
 * param of the page beyond, or `null` when there is none. It must be fast and pure (it runs when
 * observers publish, and between the page fetches of a refetch).
 */
public fun interface PageParamFunction<T, P> {
    /** The param of the page beyond [page] (the last, or the first), or `null` when there is none. */
    public fun pageParam(page: T, pages: List<T>, pageParam: P, pageParams: List<P>): P?
}
