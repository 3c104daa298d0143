package dev.stackquery.sample.javashop;

import dev.stackquery.InfiniteQueryObserver;
import dev.stackquery.InfiniteQueryOptions;
import dev.stackquery.InfiniteQueryState;
import dev.stackquery.QueryClient;
import dev.stackquery.QueryKey;
import dev.stackquery.future.FutureQueryClient;
import dev.stackquery.sample.DemoServer;
import dev.stackquery.sample.javashop.JavaShopApi.CatalogPage;
import java.io.PrintStream;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Section 9 of the Java tour, as the Kotlin one's: an infinite query of the catalog, two products a
 * page, loaded page by page ("load more"), then refetched whole.
 */
final class JavaCatalogSection {
    private JavaCatalogSection() {
    }

    static void run(QueryClient client, JavaShopApi api, DemoServer server, PrintStream out) {
        out.println();
        out.println("9. Infinite query: the catalog page by page (load more), then a refetch of every page");
        FutureQueryClient futures = FutureQueryClient.of(client);
        InfiniteQueryOptions<CatalogPage, Integer> catalog = InfiniteQueryOptions.<CatalogPage, Integer>builder(
                QueryKey.of("catalog"), api::catalog, 1,
                (last, pages, page, allPages) -> last.next())                   // null on the last page
                .build();

        List<CatalogPage> first = futures.fetchInfiniteQuery(catalog).join().getPages();
        out.println("   first page: " + shown(first) + "; HTTP calls to GET /catalog/*: " + calls(server));
        InfiniteQueryObserver<CatalogPage, Integer> screen = client.watchInfinite(catalog);
        InfiniteQueryState<CatalogPage, Integer> state;
        do {
            state = futures.fetchNextPage(screen).join();
            out.println("   load more: " + shown(state.getPages()) + " (hasNextPage=" + state.hasNextPage() + ")");
        } while (state.hasNextPage());
        InfiniteQueryState<CatalogPage, Integer> refetched = futures.refetch(screen).join();
        out.println("   refetch of every page: pages "
                + refetched.getPages().stream().map(p -> String.valueOf(p.page())).collect(Collectors.joining(", "))
                + " in order; HTTP calls to GET /catalog/*: " + calls(server));
    }

    private static String shown(List<CatalogPage> pages) {
        return pages.stream().map(CatalogPage::names).collect(Collectors.joining(", "));
    }

    private static int calls(DemoServer server) {
        return server.callsStartingWith("GET /catalog/");
    }
}
