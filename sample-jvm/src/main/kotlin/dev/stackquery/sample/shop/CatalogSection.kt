package dev.stackquery.sample.shop

import dev.stackquery.InfiniteQueryOptions
import dev.stackquery.QueryClient
import dev.stackquery.queryKey
import dev.stackquery.sample.DemoServer
import java.io.PrintStream

/**
 * Section 9 of the tour: an infinite query. The catalog comes two products a page; a screen loads
 * the first page, then "load more" until there is no next page, then refetches every page (as a
 * pull-to-refresh would), in order, replacing them in one step.
 */
internal suspend fun catalogPageByPage(client: QueryClient, api: ShopApi, server: DemoServer, out: PrintStream) {
    out.println()
    out.println("9. Infinite query: the catalog page by page (load more), then a refetch of every page")
    val catalog = InfiniteQueryOptions<CatalogPage, Int>(
        queryKey = queryKey("catalog"),
        queryFn = { page -> api.catalog(page) },
        initialPageParam = 1,
        getNextPageParam = { last, _, _, _ -> last.next }, // null on the last page
    )
    fun shown(pages: List<CatalogPage>) = pages.joinToString(", ") { it.names }
    fun calls() = server.callsStartingWith("GET /catalog/")

    val first = client.fetchInfiniteQuery(catalog)
    out.println("   first page: ${shown(first.pages)}; HTTP calls to GET /catalog/*: ${calls()}")
    val screen = client.watchInfinite(catalog)
    do {
        val state = screen.fetchNextPage()
        out.println("   load more: ${shown(state.pages)} (hasNextPage=${state.hasNextPage})")
    } while (state.hasNextPage)
    val refetched = screen.refetch()
    out.println(
        "   refetch of every page: pages ${refetched.pages.joinToString { it.page.toString() }} in order; " +
            "HTTP calls to GET /catalog/*: ${calls()}",
    )
}
