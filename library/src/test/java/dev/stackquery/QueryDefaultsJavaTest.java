package dev.stackquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackquery.future.FutureQueryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Defaults by key prefix and the function forms of the options, from plain Java: builders,
 * java.util.function lambdas and the future facade. Staleness runs on a hand-moved clock, so no
 * test waits for time to pass; fetches complete at once (completed futures).
 */
class QueryDefaultsJavaTest {
    private static final QueryKey USER = QueryKey.of("user");

    private static QueryClient clientOn(AtomicLong now) {
        return new QueryClient(QueryClientConfig.builder().clock(now::get).retry(0).build());
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    @Test
    void queryDefaultsByPrefixApplyToFetchesAndMergeMostSpecificLast() throws Exception {
        AtomicLong now = new AtomicLong(1_000);
        try (QueryClient client = clientOn(now)) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            client.setQueryDefaults(USER, QueryDefaults.builder().staleTime(Duration.ofMinutes(1)).retry(2).build());
            client.setQueryDefaults(QueryKey.of("user", "admin"), QueryDefaults.builder().retry(5).build());

            QueryDefaults merged = client.getQueryDefaults(QueryKey.of("user", "admin", 1));
            assertEquals(StaleTime.of(Duration.ofMinutes(1)), merged.getStaleTime());
            assertEquals(5, merged.getRetry());
            assertNull(client.getQueryDefaults(QueryKey.of("post")).getRetry());
            client.setQueryDefaults(QueryKey.of("poll"),
                    QueryDefaults.builder().gcTime(Duration.ofMinutes(2)).refetchInterval(Duration.ofSeconds(5)).build());
            QueryDefaults polled = client.getQueryDefaults(QueryKey.of("poll", 1)); // every field readable from Java
            assertEquals(Duration.ofMinutes(2), polled.getGcTimeDuration());
            assertEquals(Duration.ofSeconds(5), polled.getRefetchIntervalDuration());
            assertNull(merged.getGcTimeDuration());

            AtomicInteger calls = new AtomicInteger();
            QueryOptions<String> options = QueryOptions.<String>builder(
                    QueryKey.of("user", 1), () -> CompletableFuture.completedFuture("v" + calls.incrementAndGet()))
                    .build();
            assertEquals(2, client.defaultQueryOptions(options).getRetry());
            assertEquals(0, client.defaultQueryOptions(
                    QueryOptions.<String>builder(QueryKey.of("post", 1), () -> CompletableFuture.completedFuture("p"))
                            .build()).getRetry()); // the client config's

            assertEquals("v1", await(futures.fetchQuery(options)));
            now.addAndGet(30_000);
            assertEquals("v1", await(futures.fetchQuery(options)));
            assertEquals(1, calls.get()); // fresh for the default minute (the client's stale time is 0)
        }
    }

    @Test
    void aStaticStaleTimeSurvivesInvalidation() throws Exception {
        AtomicLong now = new AtomicLong(1_000);
        try (QueryClient client = clientOn(now)) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            AtomicInteger calls = new AtomicInteger();
            QueryOptions<String> options = QueryOptions.<String>builder(
                    QueryKey.of("config"), () -> CompletableFuture.completedFuture("v" + calls.incrementAndGet()))
                    .staleTime(StaleTime.STATIC)
                    .build();
            assertEquals("v1", await(futures.fetchQuery(options)));
            await(futures.invalidateQueries(QueryKey.of("config")));
            now.addAndGet(3_600_000);
            assertEquals("v1", await(futures.fetchQuery(options)));
            assertEquals(1, calls.get());
            QueryState<String> state = client.getQueryState(QueryKey.of("config"));
            assertTrue(state.isInvalidated());
            assertFalse(state.isStale());
            assertTrue(StaleTime.STATIC.isStatic());
        }
    }

    @Test
    void aStaleTimeFunctionSeesTheQuery() throws Exception {
        AtomicLong now = new AtomicLong(1_000);
        try (QueryClient client = clientOn(now)) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            AtomicInteger calls = new AtomicInteger();
            List<QueryKey> asked = Collections.synchronizedList(new ArrayList<>());
            QueryOptions<String> options = QueryOptions.<String>builder(
                    QueryKey.of("item", 1), () -> CompletableFuture.completedFuture(calls.incrementAndGet() == 1 ? "short" : "long"))
                    .staleTime(query -> {
                        asked.add(query.getQueryKey());
                        return "short".equals(query.getState().getData()) ? StaleTime.ofMillis(1_000) : StaleTime.INFINITE;
                    })
                    .build();
            assertEquals("short", await(futures.fetchQuery(options)));
            now.addAndGet(999);
            assertEquals("short", await(futures.fetchQuery(options)));
            assertEquals(1, calls.get());
            now.addAndGet(1);
            await(futures.prefetchQuery(options)); // stale at 1 s: refetched, and waited for
            assertEquals(2, calls.get());
            now.addAndGet(86_400_000);
            assertEquals("long", await(futures.fetchQuery(options))); // "long" data never goes stale by age
            assertEquals(2, calls.get());
            assertTrue(asked.contains(QueryKey.of("item", 1)));
        }
    }

    @Test
    void enabledRefetchIntervalAndPlaceholderFunctionsFromJava() throws Exception {
        try (QueryClient client = new QueryClient()) {
            AtomicInteger calls = new AtomicInteger();
            List<QueryKey> polled = Collections.synchronizedList(new ArrayList<>());
            QueryOptions<String> disabled = QueryOptions.<String>builder(
                    QueryKey.of("item", 1), () -> CompletableFuture.completedFuture("v" + calls.incrementAndGet()))
                    .enabled(query -> query.getState().hasData())
                    .refetchInterval(query -> {
                        polled.add(query.getQueryKey());
                        return null; // never polls
                    })
                    .placeholderData((previous, previousQuery) -> previousQuery == null ? "nothing before" : previous)
                    .build();
            QueryObserver<String> observer = client.watch(disabled);
            Subscription subscription = observer.subscribe(state -> { });
            // Disabled while it has no data: no fetch, and no placeholder (as a constant one, it needs an enabled observer).
            assertEquals(0, calls.get());
            assertEquals(QueryStatus.IDLE, observer.getCurrent().getStatus());
            assertEquals(List.of(), polled); // a disabled observer never polls: its interval function is not asked
            subscription.unsubscribe();

            CompletableFuture<String> never = new CompletableFuture<>();
            QueryOptions<String> loading = QueryOptions.<String>builder(QueryKey.of("item", 2), () -> never)
                    .refetchInterval(query -> {
                        polled.add(query.getQueryKey());
                        return null; // never polls
                    })
                    .placeholderData((previous, previousQuery) -> previousQuery == null ? "nothing before" : previous)
                    .build();
            QueryObserver<String> second = client.watch(loading);
            Subscription another = second.subscribe(state -> { });
            assertEquals("nothing before", second.getCurrent().getData());
            assertTrue(second.getCurrent().isPlaceholderData());
            assertTrue(polled.contains(QueryKey.of("item", 2)), polled.toString()); // asked with the query's key
            another.unsubscribe();
        }
    }

    @Test
    void mutationDefaultsGiveAFunctionToAMutationMadeFromItsKey() throws Exception {
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            client.setMutationDefaults(QueryKey.of("greet"), MutationDefaults.<String, String>builder()
                    .mutationFn(name -> CompletableFuture.completedFuture("hi " + name))
                    .retry(1)
                    .build());
            Mutation<String, String> greet = client.mutation(QueryKey.of("greet", 1));
            assertEquals("hi Ada", await(futures.mutate(greet, "Ada")));
            MutationDefaults<String, String> defaults = client.getMutationDefaults(QueryKey.of("greet", 1));
            assertEquals(1, defaults.getRetry());

            IllegalArgumentException missing =
                    assertThrows(IllegalArgumentException.class, () -> client.mutation(QueryKey.of("unknown")));
            assertTrue(missing.getMessage().contains("no mutation defaults with a mutationFn"), missing.getMessage());
        }
    }
}
