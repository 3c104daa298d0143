package dev.stackquery.future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackquery.Mutation;
import dev.stackquery.MutationOptions;
import dev.stackquery.MutationStatus;
import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryObserver;
import dev.stackquery.QueryOptions;
import dev.stackquery.QueryState;
import dev.stackquery.RetryPolicy;
import dev.stackquery.Subscription;
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

/** Mutations, retries and observers from Java, through the builders and the future facade. */
class MutationAndObserverJavaTest {
    private static final QueryKey NAME = QueryKey.of("user", 42, "name");

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    @Test
    void asyncCallbacksAreWaitedForBeforeTheRunSettles() throws Exception {
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().staleTime(Duration.ofMinutes(1)).build())) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            AtomicInteger fetches = new AtomicInteger();
            QueryOptions<String> nameQuery = QueryOptions.<String>builder(NAME,
                    () -> CompletableFuture.completedFuture("server " + fetches.incrementAndGet())).build();
            assertEquals("server 1", await(futures.fetchQuery(nameQuery)));
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> slowRollback = new CompletableFuture<>();
            MutationOptions<String, String, Void> options = MutationOptions.<String, String, Void>builder(
                    name -> CompletableFuture.failedFuture(new IllegalStateException("refused")))
                .onErrorAsync((error, name, context) -> slowRollback.thenRun(() -> seen.add("rolled back")))
                .onSettledAsync((data, error, name, context) ->
                    futures.invalidateQueries(NAME).thenRun(() -> seen.add("invalidated")))
                .build();
            CompletableFuture<String> run = futures.mutate(client.mutation(options), "Grace");
            assertTrue(!run.isDone());
            slowRollback.complete(null);
            assertThrows(ExecutionException.class, () -> await(run));
            assertEquals(List.of("rolled back", "invalidated"), seen);
            assertEquals("server 1", client.getQueryData(NAME)); // inactive: marked by the invalidation, not refetched
            assertTrue(client.<String>getQueryState(NAME).isInvalidated());
        }
    }

    @Test
    void anOptimisticUpdateIsRolledBackWhenTheServerRefuses() throws Exception {
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().staleTime(Duration.ofMinutes(1)).build())) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            client.setQueryData(NAME, "Ada");
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            MutationOptions<String, String, String> options = MutationOptions.<String, String, String>builder(
                    name -> CompletableFuture.failedFuture(new IllegalStateException("refused")))
                .onMutate(name -> {
                    String previous = client.getQueryData(NAME);
                    client.setQueryData(NAME, name);
                    seen.add("optimistic " + client.getQueryData(NAME));
                    return previous;
                })
                .onError((error, name, previous) -> client.setQueryData(NAME, previous))
                .onSettled((data, error, name, previous) -> seen.add("settled " + error.getMessage()))
                .build();
            Mutation<String, String> rename = client.mutation(options);
            ExecutionException error = assertThrows(ExecutionException.class, () -> await(futures.mutate(rename, "Grace")));
            assertEquals("refused", error.getCause().getMessage());
            assertEquals(List.of("optimistic Grace", "settled refused"), seen);
            assertEquals("Ada", client.getQueryData(NAME));
            assertEquals(MutationStatus.ERROR, rename.getState().getValue().getStatus());
        }
    }

    @Test
    void aSuccessfulMutationInvalidatesWhatItChanged() throws Exception {
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().staleTime(Duration.ofMinutes(1)).build())) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            client.setQueryData(NAME, "Ada");
            Mutation<String, String> rename = client.mutation(MutationOptions.<String, String, Void>builder(
                    name -> CompletableFuture.completedFuture(name.toUpperCase()))
                .invalidates(QueryKey.of("user"))
                .build());
            assertEquals("GRACE", await(futures.mutate(rename, "Grace")));
            assertTrue(client.getQueryState(NAME).isInvalidated());
        }
    }

    @Test
    void aBlockingMutationRunsOnTheCallersExecutor() throws Exception {
        ExecutorService jdbc = Executors.newSingleThreadExecutor(r -> new Thread(r, "jdbc-pool"));
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            Mutation<String, Integer> save = client.mutation(MutationOptions.<String, Integer, Void>builder(
                    id -> "saved " + id + " on " + Thread.currentThread().getName().startsWith("jdbc-pool"), jdbc)
                .build());
            assertEquals("saved 7 on true", await(futures.mutate(save, 7)));
        } finally {
            jdbc.shutdownNow();
        }
    }

    @Test
    void failedAttemptsAreRetriedAsTheBuilderSays() throws Exception {
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            AtomicInteger attempts = new AtomicInteger();
            QueryOptions<String> opts = QueryOptions.<String>builder(NAME, () -> attempts.incrementAndGet() < 3
                    ? CompletableFuture.failedFuture(new IllegalStateException("flaky"))
                    : CompletableFuture.completedFuture("ok"))
                .retry(2)
                .retryPolicy(RetryPolicy.fixed(Duration.ofMillis(1)))
                .build();
            assertEquals("ok", await(futures.fetchQuery(opts)));
            assertEquals(3, attempts.get());
        }
    }

    @Test
    void anObserverDeliversSelectedStatesOnTheGivenExecutor() throws Exception {
        ExecutorService ui = Executors.newSingleThreadExecutor(r -> new Thread(r, "ui"));
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            client.setQueryData(NAME, "Ada");
            QueryOptions<String> opts = QueryOptions.<String>builder(NAME, () -> CompletableFuture.completedFuture("x"))
                .enabled(false)
                .build();
            QueryObserver<Integer> length = futures.watch(opts, String::length);
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> sawAda = new CompletableFuture<>();
            CompletableFuture<Void> sawGrace = new CompletableFuture<>();
            try (Subscription subscription = length.subscribe(state -> {
                seen.add(state.getData() + " on " + Thread.currentThread().getName().startsWith("ui"));
                if (Integer.valueOf(3).equals(state.getData())) sawAda.complete(null);
                if (Integer.valueOf(5).equals(state.getData())) sawGrace.complete(null);
            }, ui)) {
                await(sawAda);
                client.setQueryData(NAME, "Grace");
                await(sawGrace);
                assertTrue(subscription.isSubscribed());
            }
            assertEquals(List.of("3 on true", "5 on true"), seen);
            QueryState<Integer> current = length.getCurrent();
            assertEquals(5, current.getData());
        } finally {
            ui.shutdownNow();
        }
    }
}
