package dev.stackquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackquery.future.FutureQueryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Small Java conveniences: typed reads, Duration getters, retry policies, executor-bound mutation listeners, typed parallel queries. */
class JavaSurfaceTest {
    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    private static QueryOptions<String> constant(String key, String value) {
        return QueryOptions.<String>builder(QueryKey.of(key), () -> CompletableFuture.completedFuture(value)).build();
    }

    @Test
    void typedReadsAndDurationGetters() throws Exception {
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().build())) {
            QueryOptions<String> options = QueryOptions.<String>builder(QueryKey.of("user"), () -> CompletableFuture.completedFuture("Ada"))
                    .staleTime(Duration.ofMinutes(1))
                    .gcTime(Duration.ofMinutes(2))
                    .refetchInterval(Duration.ofSeconds(30))
                    .build();
            assertEquals(Duration.ofMinutes(1), options.getStaleTimeDuration());
            assertEquals(Duration.ofMinutes(2), options.getGcTimeDuration());
            assertEquals(Duration.ofSeconds(30), options.getRefetchIntervalDuration());
            assertNull(constant("x", "y").getStaleTimeDuration());
            assertNull(client.getQueryData(options));
            await(FutureQueryClient.of(client).fetchQuery(options));
            String name = client.getQueryData(options); // typed by the options: no cast, no type witness
            assertEquals("Ada", name);
            assertEquals(QueryStatus.SUCCESS, client.getQueryState(options).getStatus());
        }
    }

    @Test
    void retryPolicyNoneStopsAtTheFirstFailureAndExponentialTakesTwoDurations() throws Exception {
        RetryPolicy backoff = RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(1));
        assertEquals(100, backoff.delayMillis(1, new RuntimeException()));
        assertEquals(1_000, backoff.delayMillis(5, new RuntimeException()));
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().retry(3).build())) {
            AtomicInteger attempts = new AtomicInteger();
            QueryOptions<String> failing = QueryOptions.<String>builder(QueryKey.of("down"), () -> {
                attempts.incrementAndGet();
                return CompletableFuture.failedFuture(new IllegalStateException("down"));
            }).retryPolicy(RetryPolicy.NONE).build();
            ExecutionException error = assertThrows(ExecutionException.class,
                    () -> await(FutureQueryClient.of(client).fetchQuery(failing)));
            assertEquals("down", error.getCause().getMessage());
            assertEquals(1, attempts.get());
        }
    }

    @Test
    void aMutationListenerGetsEveryStateTheFirstIncludedOnItsExecutor() throws Exception {
        ExecutorService ui = Executors.newSingleThreadExecutor(task -> new Thread(task, "ui"));
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().build())) {
            Mutation<String, String> save = client.mutation(
                    MutationOptions.<String, String, Void>builder(name -> CompletableFuture.completedFuture("saved " + name)).build());
            assertEquals(MutationState.idle(), save.getState().getValue());
            List<String> threads = Collections.synchronizedList(new ArrayList<>());
            List<MutationStatus> statuses = Collections.synchronizedList(new ArrayList<>());
            Subscription subscription = save.subscribe(state -> {
                threads.add(Thread.currentThread().getName());
                statuses.add(state.getStatus());
            }, ui);
            assertEquals("saved Ada", await(FutureQueryClient.of(client).mutate(save, "Ada")));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!statuses.contains(MutationStatus.SUCCESS) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(MutationStatus.IDLE, statuses.get(0));
            assertTrue(statuses.contains(MutationStatus.SUCCESS));
            assertTrue(threads.stream().allMatch(name -> name.startsWith("ui")), threads.toString()); // "ui @coroutine" in debug mode
            subscription.unsubscribe();
        } finally {
            ui.shutdownNow();
        }
    }

    @Test
    void parallelQueriesOfDifferentTypesCombineTypedResults() throws Exception {
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().build())) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            QueryOptions<Integer> count = QueryOptions.<Integer>builder(QueryKey.of("count"),
                    () -> CompletableFuture.completedFuture(3)).build();
            String two = await(futures.parallelQueries(constant("name", "Ada"), count, (name, n) -> name + " x" + n));
            assertEquals("Ada x3", two);
            String three = await(futures.parallelQueries(constant("a", "A"), count, constant("b", "B"),
                    (a, n, b) -> a + n + b));
            assertEquals("A3B", three);
            assertSame(null, client.getQueryData(QueryKey.of("missing")));
        }
    }
}
