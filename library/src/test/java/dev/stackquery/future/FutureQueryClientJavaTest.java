package dev.stackquery.future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.stackquery.FetchStatus;
import dev.stackquery.QueryCancelledException;
import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientClosedException;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryFilter;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryOptions;
import dev.stackquery.QueryState;
import dev.stackquery.storage.QueryCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The CompletableFuture facade, used the way a Java service would. */
class FutureQueryClientJavaTest {
    private static final QueryKey USER = QueryKey.of("user", 42);

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFreshHitIsAnAlreadyCompletedFuture() throws Exception {
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().staleTime(Duration.ofMinutes(1)).build())) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            AtomicInteger calls = new AtomicInteger();
            QueryOptions<String> opts = QueryOptions.<String>builder(USER,
                    () -> CompletableFuture.completedFuture("alice-" + calls.incrementAndGet())).build();
            assertEquals("alice-1", await(futures.fetchQuery(opts)));
            CompletableFuture<String> hit = futures.fetchQuery(opts);
            assertTrue(hit.isDone());
            assertEquals("alice-1", hit.join());
            assertEquals(1, calls.get());
        }
    }

    @Test
    void staleDataComesBackAtOnceAndIsRevalidatedBehind() throws Exception {
        try (QueryClient client = new QueryClient()) { // staleTime 0: stale as soon as fetched
            FutureQueryClient futures = FutureQueryClient.of(client);
            AtomicInteger calls = new AtomicInteger();
            QueryOptions<String> opts = QueryOptions.<String>builder(USER,
                    () -> CompletableFuture.completedFuture("v" + calls.incrementAndGet())).build();
            assertEquals("v1", await(futures.fetchQuery(opts)));
            assertEquals("v1", await(futures.fetchQuery(opts))); // the stale value, not the refetch's
            await(futures.refetchQueries(QueryFilter.exact(USER))); // joins or follows the background refetch
            assertTrue(calls.get() >= 2);
            assertEquals("v" + calls.get(), client.getQueryData(USER));
        }
    }

    @Test
    void aThousandConcurrentCallersShareOneCall() throws Exception {
        // Fresh for a minute: callers whose coroutine starts after the fetch settled get the
        // cached value instead of revalidating it (with staleTime 0 they would refetch it).
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().staleTime(Duration.ofMinutes(1)).build())) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            AtomicInteger calls = new AtomicInteger();
            CompletableFuture<String> source = new CompletableFuture<>();
            QueryOptions<String> opts = QueryOptions.<String>builder(USER, () -> {
                calls.incrementAndGet();
                return source;
            }).build();
            List<CompletableFuture<String>> callers = new ArrayList<>();
            for (int i = 0; i < 1000; i++) callers.add(futures.fetchQuery(opts));
            source.complete("shared");
            for (CompletableFuture<String> caller : callers) assertEquals("shared", await(caller));
            assertEquals(1, calls.get());
        }
    }

    @Test
    void cancellingOneCallersFutureDoesNotCancelTheSharedFetch() throws Exception {
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            CompletableFuture<String> source = new CompletableFuture<>();
            QueryOptions<String> opts = QueryOptions.<String>builder(USER, () -> source).build();
            CompletableFuture<String> impatient = futures.fetchQuery(opts);
            CompletableFuture<String> patient = futures.fetchQuery(opts);
            assertTrue(impatient.cancel(true));
            source.complete("data");
            assertEquals("data", await(patient));
            QueryState<String> state = client.getQueryState(USER);
            assertEquals("data", state.getData());
        }
    }

    @Test
    void aFailureIsTheFuturesCauseUnwrapped() {
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().retry(0).build())) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            IllegalStateException boom = new IllegalStateException("boom");
            QueryOptions<String> opts = QueryOptions.<String>builder(USER, () -> CompletableFuture.failedFuture(boom)).build();
            ExecutionException error = assertThrows(ExecutionException.class, () -> await(futures.fetchQuery(opts)));
            Throwable cause = error.getCause();
            assertTrue(cause == boom || cause.getCause() == boom, "cause was " + cause);
            assertTrue(client.getQueryState(USER).isError());
        }
    }

    @Test
    void invalidationMarksTheQueryAndPrefetchWarmsTheCache() throws Exception {
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().staleTime(Duration.ofMinutes(1)).build())) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            QueryOptions<String> opts = QueryOptions.<String>builder(USER, () -> CompletableFuture.completedFuture("v")).build();
            await(futures.prefetchQuery(opts));
            assertEquals("v", client.getQueryData(USER));
            await(futures.invalidateQueries(QueryKey.of("user")));
            assertTrue(client.getQueryState(USER).isInvalidated());
            await(futures.refetchQueries(QueryFilter.builder().queryKey(QueryKey.of("user")).stale(true).build()));
            assertFalse(client.getQueryState(USER).isInvalidated());
        }
    }

    @Test
    void aBlockingFunctionRunsOnTheCallersExecutor() throws Exception {
        ExecutorService jdbc = Executors.newSingleThreadExecutor(r -> new Thread(r, "jdbc-pool"));
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            AtomicReference<String> thread = new AtomicReference<>();
            QueryOptions<String> opts = QueryOptions.<String>builder(USER, () -> {
                thread.set(Thread.currentThread().getName());
                return "row";
            }, jdbc).build();
            assertEquals("row", await(futures.fetchQuery(opts)));
            assertTrue(thread.get().startsWith("jdbc-pool"), thread.get()); // coroutine debug mode may append the coroutine name
        } finally {
            jdbc.shutdownNow();
        }
    }

    @Test
    void parallelAndDependentQueries() throws Exception {
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            QueryOptions<Integer> me = QueryOptions.<Integer>builder(QueryKey.of("me"), () -> CompletableFuture.completedFuture(7)).build();
            QueryOptions<Integer> other = QueryOptions.<Integer>builder(QueryKey.of("other"), () -> CompletableFuture.completedFuture(8)).build();
            assertEquals(List.of(7, 8), await(futures.parallelQueries(List.of(me, other))));
            String posts = await(futures.dependentQuery(me, id -> QueryOptions.<String>builder(QueryKey.of("posts", id),
                    () -> CompletableFuture.completedFuture("posts of " + id)).build()));
            assertEquals("posts of 7", posts);
        }
    }

    @Test
    void aClosedClientFailsFuturesWithQueryClientClosedException() {
        QueryClient client = new QueryClient();
        FutureQueryClient futures = FutureQueryClient.of(client);
        client.close();
        QueryOptions<String> opts = QueryOptions.<String>builder(USER, () -> CompletableFuture.completedFuture("v")).build();
        ExecutionException error = assertThrows(ExecutionException.class, () -> await(futures.fetchQuery(opts)));
        assertTrue(error.getCause() instanceof QueryClientClosedException);
        assertSame(client, futures.getClient());
    }

    @Test
    void aCodecFromAPairOfFunctionsRoundTripsAndTravelsWithTheOptions() {
        QueryCodec<Integer> codec = QueryCodec.of(String::valueOf, Integer::valueOf);
        assertEquals("42", codec.encode(42));
        assertEquals(42, codec.decode("42"));
        QueryOptions<Integer> opts = QueryOptions.<Integer>builder(USER, () -> CompletableFuture.completedFuture(1))
            .codec(codec)
            .build();
        assertSame(codec, opts.getCodec());
    }

    @Test
    void configDurationsReadAsJavaDurations() {
        QueryClientConfig config = QueryClientConfig.builder().staleTime(Duration.ofSeconds(30)).build();
        assertEquals(Duration.ofSeconds(30), config.getStaleTimeDuration());
        assertEquals(Duration.ofMinutes(5), config.getGcTimeDuration());
    }

    @Test
    void theBuilderValidatesEachValueNamingIt() {
        QueryOptions.Builder<String> builder = QueryOptions.<String>builder(USER, () -> CompletableFuture.completedFuture("v"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.retry(-1)).getMessage().contains("retry"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.staleTime(Duration.ofSeconds(-1))).getMessage().contains("staleTime"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.refetchInterval(Duration.ZERO)).getMessage().contains("refetchInterval"));
        QueryOptions<String> opts = builder.staleTime(Duration.ofSeconds(30)).retry(2).enabled(false).build();
        assertEquals(2, opts.getRetry());
        assertFalse(opts.getEnabled());
    }

    @Test
    void ensureQueryDataCanRevalidateStaleDataAndCancelQueriesCanSettleInError() throws Exception {
        try (QueryClient client = new QueryClient()) { // staleTime 0: stale as soon as fetched
            FutureQueryClient futures = FutureQueryClient.of(client);
            AtomicInteger calls = new AtomicInteger();
            CompletableFuture<String> hanging = new CompletableFuture<>();
            CompletableFuture<Void> refetchCalled = new CompletableFuture<>();
            QueryOptions<String> opts = QueryOptions.<String>builder(USER, () -> {
                if (calls.incrementAndGet() == 1) return CompletableFuture.completedFuture("v1");
                refetchCalled.complete(null);
                return hanging;
            }).build();
            assertEquals("v1", await(futures.ensureQueryData(opts, false)));
            assertEquals("v1", await(futures.ensureQueryData(opts, false))); // stale, not refetched
            assertEquals(1, calls.get());

            assertEquals("v1", await(futures.ensureQueryData(opts, true))); // stale: at once, refetched behind
            QueryState<String> refetching = client.getQueryState(USER);
            assertTrue(refetching.isFetching());
            await(refetchCalled);
            assertEquals(2, calls.get());

            await(futures.cancelQueries(QueryFilter.exact(USER), false));
            QueryState<String> cancelled = client.getQueryState(USER);
            assertTrue(cancelled.isError());
            assertFalse(cancelled.isFetching());
            assertEquals("v1", cancelled.getData());
            assertTrue(cancelled.getError() instanceof QueryCancelledException);
            assertTrue(hanging.isCancelled()); // the query function's future was cancelled too
        }
    }

    @Test
    void getQueriesDataAndSetQueriesDataWorkOnEveryQueryAFilterSelects() {
        try (QueryClient client = new QueryClient()) {
            QueryKey ada = QueryKey.of("user", 1);
            QueryKey grace = QueryKey.of("user", 2);
            client.setQueryData(ada, "ada");
            client.setQueryData(grace, "grace");
            client.setQueryData(QueryKey.of("post", 1), "hello");
            Map<QueryKey, String> names = client.getQueriesData(QueryKey.of("user"));
            assertEquals(Map.of(ada, "ada", grace, "grace"), names);
            Map<QueryKey, String> written =
                client.setQueriesData(QueryFilter.prefix(QueryKey.of("user")), (String old) -> old + "!");
            assertEquals(List.of(ada, grace), new ArrayList<>(written.keySet()));
            assertEquals("grace!", client.getQueryData(grace));
            assertEquals("hello", client.getQueryData(QueryKey.of("post", 1)));
            QueryFilter idleUsers = QueryFilter.builder()
                .queryKey(QueryKey.of("user"))
                .fetchStatus(FetchStatus.IDLE)
                .build();
            assertEquals(List.of(ada, grace), new ArrayList<>(client.getQueriesData(idleUsers).keySet()));
        }
    }

    @Test
    void setQueryDataCanDateTheData() {
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().staleTime(Duration.ofMinutes(1)).build())) {
            long twoMinutesAgo = System.currentTimeMillis() - Duration.ofMinutes(2).toMillis();
            assertEquals("old", client.setQueryData(USER, "old", twoMinutesAgo));
            QueryState<String> state = client.getQueryState(USER);
            assertEquals(twoMinutesAgo, state.getDataUpdatedAt());
            assertTrue(state.isStale());
            assertThrows(IllegalArgumentException.class, () -> client.setQueryData(USER, "x", -1L));
        }
    }
}
