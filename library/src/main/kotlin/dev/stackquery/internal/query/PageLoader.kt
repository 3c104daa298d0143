package dev.stackquery.internal.query

import dev.stackquery.InfiniteData
import dev.stackquery.InfiniteQueryOptions
import dev.stackquery.queryFunctionContext

/**
 * The query function of an infinite query (TanStack's `infiniteQueryBehavior`): what one fetch
 * does, as its [PageDirection] says.
 * - [PageDirection.FORWARD] / [PageDirection.BACKWARD]: fetches the page after the last (before
 *   the first) and adds it to the data **as it is when the page arrives**, so data written
 *   meanwhile (`setQueryData`) is kept, the page added to it; past `maxPages`, pages are dropped
 *   from the other end. With no data yet, it fetches the first page.
 * - no direction (a first load, a refetch: stale, invalidation, polling, focus…): fetches from
 *   the first page param as many pages as are cached (at least [firstLoadPages] with none),
 *   computing each next param from the freshly fetched pages, stopping early when there is no
 *   next page; the result replaces the data in one step.
 *
 * Each page fetched is remembered for the rest of the fetch, so a retry (the engine's, per the
 * query's retry policy) resumes at the page that failed instead of starting over.
 */
internal class PageLoader<T, P>(
    private val options: InfiniteQueryOptions<T, P>,
    private val firstLoadPages: Int,
) {
    /** The pages a refetch has fetched so far, and the data it started from. */
    private class Progress<T, P>(val base: InfiniteData<T, P>?) {
        val pages = ArrayList<T>()
        val params = ArrayList<P>()
    }

    suspend fun load(): InfiniteData<T, P> {
        val context = queryFunctionContext()
        val current: InfiniteData<T, P>? = context.client.getQueryData(context.queryKey)
        return when (val direction = context.direction) {
            null -> {
                @Suppress("UNCHECKED_CAST") // made by this loader, for this fetch
                val progress = context.progress as Progress<T, P>? ?: Progress(current).also { context.progress = it }
                refetch(progress)
            }
            else -> if (current == null || current.pages.isEmpty()) {
                InfiniteData(listOf(options.queryFn(options.initialPageParam)), listOf(options.initialPageParam))
            } else {
                loadMore(current, direction == PageDirection.FORWARD) {
                    context.client.getQueryData<InfiniteData<T, P>>(context.queryKey) ?: current
                }
            }
        }
    }

    /** The page after [current]'s last ([forward]) or before its first, added to the data [latest] reads once it arrived. */
    private suspend inline fun loadMore(
        current: InfiniteData<T, P>,
        forward: Boolean,
        latest: () -> InfiniteData<T, P>,
    ): InfiniteData<T, P> {
        val param = (if (forward) options.nextPageParam(current) else options.previousPageParam(current))
            ?: return current
        val page = options.queryFn(param)
        val now = latest() // written while the page loaded: kept
        return if (forward) append(now, page, param) else prepend(now, page, param)
    }

    private suspend fun refetch(progress: Progress<T, P>): InfiniteData<T, P> {
        val base = progress.base
        val wanted = if (base == null || base.pages.isEmpty()) firstLoadPages else base.pages.size
        while (progress.pages.size < wanted) {
            val param = if (progress.pages.isEmpty()) {
                base?.pageParams?.firstOrNull() ?: options.initialPageParam
            } else {
                options.nextPageParam(InfiniteData(progress.pages, progress.params)) ?: break
            }
            val page = options.queryFn(param)
            progress.pages += page
            progress.params += param
        }
        return InfiniteData(progress.pages.toList(), progress.params.toList())
    }

    private fun append(data: InfiniteData<T, P>, page: T, param: P): InfiniteData<T, P> {
        val drop = overflow(data)
        return InfiniteData(
            withItem(data.pages, drop, data.pages.size, page, last = true),
            withItem(data.pageParams, drop, data.pageParams.size, param, last = true),
        )
    }

    private fun prepend(data: InfiniteData<T, P>, page: T, param: P): InfiniteData<T, P> {
        val keep = data.pages.size - overflow(data)
        return InfiniteData(
            withItem(data.pages, 0, keep, page, last = false),
            withItem(data.pageParams, 0, keep, param, last = false),
        )
    }

    /** How many pages adding one more drops to stay within `maxPages`. */
    private fun overflow(data: InfiniteData<T, P>): Int =
        options.maxPages?.let { (data.pages.size + 1 - it).coerceAtLeast(0) } ?: 0

    /** `items[from, to)` with [item] added last (or first): one copy of the list, no more. */
    private fun <E> withItem(items: List<E>, from: Int, to: Int, item: E, last: Boolean): List<E> {
        val copy = ArrayList<E>(to - from + 1)
        if (!last) copy.add(item)
        for (i in from until to) copy.add(items[i]) // not addAll(subList): that copies into an array first
        if (last) copy.add(item)
        return copy
    }
}
