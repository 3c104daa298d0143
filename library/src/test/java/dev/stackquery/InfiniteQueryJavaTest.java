package dev.stackquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackquery.future.FutureQueryClient;
import dev.stackquery.storage.QueryCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Infinite queries from plain Java: the builder with a CompletionStage page function and a
 * page-param lambda, the futures for the first load and "load more", the observer's listener, and
 * the pages' codec. Pages complete at once; the test waits only for futures (bounded).
 */
class InfiniteQueryJavaTest {
    private static final QueryKey FEED = QueryKey.of("feed");

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    private static InfiniteQueryOptions<String, Integer> feed(List<Integer> calls) {
        return InfiniteQueryOptions.<String, Integer>builder(FEED, cursor -> {
            calls.add(cursor);
            return CompletableFuture.completedFuture("page " + cursor);
        }, 1, (last, pages, cursor, cursors) -> cursor < 3 ? cursor + 1 : null)
                .getPreviousPageParam((first, pages, cursor, cursors) -> cursor > 1 ? cursor - 1 : null)
                .staleTime(Duration.ofMinutes(5))
                .maxPages(10)
                .build();
    }

    @Test
    void pagesLoadPageByPageThroughFutures() throws Exception {
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().retry(0).build())) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            List<Integer> calls = Collections.synchronizedList(new ArrayList<>());
            InfiniteQueryOptions<String, Integer> options = feed(calls);

            InfiniteData<String, Integer> first = await(futures.fetchInfiniteQuery(options));
            assertEquals(List.of("page 1"), first.getPages());

            InfiniteQueryObserver<String, Integer> observer = client.watchInfinite(options);
            List<Integer> pageCounts = Collections.synchronizedList(new ArrayList<>());
            Subscription subscription = observer.subscribe(state -> pageCounts.add(state.getPages().size()), Runnable::run);
            InfiniteQueryState<String, Integer> two = await(futures.fetchNextPage(observer));
            assertEquals(List.of("page 1", "page 2"), two.getPages());
            InfiniteQueryState<String, Integer> three = await(futures.fetchNextPage(observer, true));
            assertEquals(List.of(1, 2, 3), three.getData().getPageParams());
            assertFalse(three.hasNextPage());
            assertFalse(three.hasPreviousPage());
            assertEquals(List.of(1, 2, 3), calls);
            assertTrue(pageCounts.contains(3));
            subscription.unsubscribe();

            SelectedInfiniteQueryObserver<String, Integer, Integer> count =
                    futures.watchInfinite(options, data -> data.getPages().size());
            assertEquals(3, count.getSelected().getValue());

            InfiniteData<String, Integer> all = await(futures.refetch(observer)).getData();
            assertEquals(List.of("page 1", "page 2", "page 3"), all.getPages());
            assertEquals(List.of(1, 2, 3, 1, 2, 3), calls);
        }
    }

    @Test
    void thePagesCodecRoundTrips() {
        QueryCodec<InfiniteData<String, Integer>> codec = InfiniteData.codec(
                QueryCodec.of(page -> "\"" + page + "\"", json -> json.substring(1, json.length() - 1)),
                QueryCodec.of(String::valueOf, Integer::valueOf));
        InfiniteData<String, Integer> data = new InfiniteData<>(List.of("a", "b"), List.of(1, 2));
        String json = codec.encode(data);
        assertEquals("{\"pages\":[\"a\",\"b\"],\"pageParams\":[1,2]}", json);
        assertEquals(data, codec.decode(json));
    }
}
