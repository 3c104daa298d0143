package dev.stackquery.future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackquery.FetchReason;
import dev.stackquery.QueryCacheCallbacks;
import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryFilter;
import dev.stackquery.QueryFunctionContext;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryOptions;
import dev.stackquery.QuerySnapshot;
import dev.stackquery.RefetchType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Refetch types, the query function context and declining updaters, as a Java caller writes them. */
class ClientSurfaceJavaTest {
    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    private static QueryOptions<String> counting(QueryKey key, AtomicInteger calls) {
        return QueryOptions.<String>builder(key,
                () -> CompletableFuture.completedFuture(key.get(1) + "-" + calls.incrementAndGet())).build();
    }

    @Test
    void invalidationRefetchesTheQueriesItsRefetchTypeNames() throws Exception {
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            AtomicInteger calls = new AtomicInteger();
            QueryOptions<String> todos = counting(QueryKey.of("todos", "all"), calls);
            await(futures.fetchQuery(todos)); // inactive: no observer
            await(futures.invalidateQueries(QueryFilter.prefix(QueryKey.of("todos")), RefetchType.NONE, true));
            assertEquals(1, calls.get());
            assertTrue(client.getQueryState(todos.getQueryKey()).isInvalidated());
            await(futures.invalidateQueries(QueryFilter.prefix(QueryKey.of("todos")), RefetchType.INACTIVE, true));
            assertEquals(2, calls.get());
            assertFalse(client.getQueryState(todos.getQueryKey()).isInvalidated());
            assertEquals("all-2", client.getQueryData(todos.getQueryKey()));
            await(futures.refetchQueries(QueryFilter.prefix(QueryKey.of("todos")), true));
            assertEquals(3, calls.get());
        }
    }

    @Test
    void queryFunctionsReadTheirContextAsAParameter() throws Exception {
        ExecutorService jdbc = Executors.newSingleThreadExecutor();
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            QueryOptions<String> async = QueryOptions.<String>builder(QueryKey.of("user", 42),
                    (QueryFunctionContext context) -> CompletableFuture.completedFuture(
                            "user " + context.getQueryKey().get(1) + " for " + context.getMeta().get("caller")))
                    .meta(Map.of("caller", "catalog"))
                    .build();
            assertEquals("user 42 for catalog", await(futures.fetchQuery(async)));
            QueryOptions<String> blocking = QueryOptions.<String>builder(QueryKey.of("row", 7),
                    (QueryFunctionContext context) -> "row " + context.getQueryKey().get(1)
                            + " on " + Thread.currentThread().getName().startsWith("pool")
                            + " same client " + (context.getClient() == client),
                    jdbc).build();
            assertEquals("row 7 on true same client true", await(futures.fetchQuery(blocking)));
        } finally {
            jdbc.shutdownNow();
        }
    }

    @Test
    void anUpdaterDeclinesByReturningNoChange() {
        try (QueryClient client = new QueryClient()) {
            QueryKey key = QueryKey.of("cart");
            List<String> result = client.updateQueryData(key, (List<String> old) ->
                    old == null ? QueryClient.noChange() : List.of("milk"));
            assertNull(result);
            assertNull(client.getQueryState(key));
            client.setQueryData(key, List.of("eggs"));
            List<String> kept = client.updateQueryData(key, (List<String> old) ->
                    old.contains("eggs") ? QueryClient.noChange() : List.of("milk"));
            assertEquals(List.of("eggs"), kept);
        }
    }

    @Test
    void queriesAreInspectedAsSnapshots() throws Exception {
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            AtomicInteger calls = new AtomicInteger();
            await(futures.fetchQuery(counting(QueryKey.of("todos", "all"), calls)));
            client.setQueryData(QueryKey.of("todos", "draft"), "note");
            List<QuerySnapshot> all = client.queries();
            assertEquals(2, all.size());
            QuerySnapshot fetched = client.queries(QueryKey.of("todos", "all")).get(0);
            assertEquals("all-1", fetched.getState().getData());
            assertEquals(FetchReason.FETCH, fetched.getLastFetchReason());
            assertTrue(fetched.hasQueryFunction());
            assertFalse(fetched.isActive());
            assertEquals(0, fetched.getObserverCount());
            QuerySnapshot made = client.queries(QueryFilter.exact(QueryKey.of("todos", "draft"))).get(0);
            assertFalse(made.hasQueryFunction());
            assertNull(made.getLastFetchReason());
        }
    }

    @Test
    void cacheWideCallbacksRelayEveryQuerysOutcome() throws Exception {
        List<String> relayed = new java.util.concurrent.CopyOnWriteArrayList<>();
        QueryCacheCallbacks callbacks = QueryCacheCallbacks.builder()
                .onSuccess((data, query) -> relayed.add("success " + data + " " + query.getQueryKey()))
                .onError((error, query) -> relayed.add("error " + error.getMessage() + " " + query.getMeta().get("toast")))
                .onSettled((data, error, query) -> relayed.add("settled " + query.getState().getStatus()))
                .build();
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().retry(0).queryCacheCallbacks(callbacks).build())) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            await(futures.fetchQuery(QueryOptions.<String>builder(QueryKey.of("ok"),
                    () -> CompletableFuture.completedFuture("fine")).build()));
            CompletableFuture<String> failing = futures.fetchQuery(QueryOptions.<String>builder(QueryKey.of("ko"),
                    () -> CompletableFuture.failedFuture(new IllegalStateException("down")))
                    .meta(Map.of("toast", "Could not load"))
                    .build());
            assertTrue(assertThrowsExecution(failing) instanceof IllegalStateException);
            assertEquals(List.of("success fine [\"ok\"]", "settled SUCCESS", "error down Could not load", "settled ERROR"),
                    relayed);
        }
    }

    private static Throwable assertThrowsExecution(CompletableFuture<?> future) throws Exception {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }
}
