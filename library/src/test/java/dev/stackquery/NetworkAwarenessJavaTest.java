package dev.stackquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackquery.future.FutureQueryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Focus and network awareness from plain Java: the manual managers, the config and options
 * builders, paused fetches and mutations, and the future facade's resumePausedMutations. Nothing
 * waits for time: the query and mutation functions complete at once, and the tests wait only for
 * futures to complete (bounded).
 */
class NetworkAwarenessJavaTest {
    private static final QueryKey FEED = QueryKey.of("feed");

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFetchStartedOfflineIsPausedAndCompletesOnceTheNetworkIsBack() throws Exception {
        ManualOnlineManager online = OnlineManager.manual(false);
        ManualFocusManager focus = FocusManager.manual();
        QueryClientConfig config = QueryClientConfig.builder()
                .onlineManager(online)
                .focusManager(focus)
                .networkMode(NetworkMode.ONLINE)
                .refetchOnFocus(RefetchTrigger.ALWAYS)
                .refetchOnReconnect(RefetchTrigger.NEVER)
                .refetchIntervalInBackground(false)
                .retry(0)
                .build();
        assertSame(online, config.getOnlineManager());
        try (QueryClient client = new QueryClient(config)) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            AtomicInteger calls = new AtomicInteger();
            QueryOptions<String> options = QueryOptions.<String>builder(
                    FEED, () -> CompletableFuture.completedFuture("v" + calls.incrementAndGet()))
                    .networkMode(NetworkMode.ONLINE)
                    .build();
            CompletableFuture<String> feed = futures.fetchQuery(options);
            QueryState<String> paused = awaitState(client, FEED, FetchStatus.PAUSED);
            assertTrue(paused.isPaused());
            assertTrue(paused.isPending());
            assertFalse(feed.isDone());
            assertEquals(0, calls.get());

            online.setOnline(true);
            assertEquals("v1", await(feed));
            assertEquals(1, calls.get());
            assertEquals(1L, (long) client.stats().getFetchesByReason().get(FetchReason.FETCH));
        }
    }

    @Test
    void aMutationSubmittedOfflineIsPausedAndResumes() throws Exception {
        ManualOnlineManager online = OnlineManager.manual(false);
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().onlineManager(online).build())) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            List<Boolean> paused = Collections.synchronizedList(new ArrayList<>());
            Mutation<String, String> save = client.mutation(
                    MutationOptions.<String, String, Void>builder(name -> CompletableFuture.completedFuture("saved " + name))
                            .networkMode(NetworkMode.ONLINE)
                            .build());
            save.subscribe(state -> paused.add(state.isPaused()));
            CompletableFuture<String> run = futures.mutate(save, "draft");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!save.getState().getValue().isPaused() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(save.getState().getValue().isPaused());
            assertFalse(run.isDone());

            online.setOnline(true);
            await(futures.resumePausedMutations());
            assertEquals("saved draft", await(run));
            assertFalse(save.getState().getValue().isPaused());
        }
    }

    @Test
    void focusRefetchesAnActiveQueryAsItsOptionsSay() throws Exception {
        ManualFocusManager focus = FocusManager.manual(true);
        QueryClientConfig config = QueryClientConfig.builder().focusManager(focus).build();
        try (QueryClient client = new QueryClient(config)) {
            AtomicInteger calls = new AtomicInteger();
            QueryOptions<String> options = QueryOptions.<String>builder(
                    FEED, () -> CompletableFuture.completedFuture("v" + calls.incrementAndGet()))
                    .staleTime(Duration.ofHours(1))
                    .refetchOnFocus(RefetchTrigger.ALWAYS)
                    .refetchOnReconnect(RefetchTrigger.IF_STALE)
                    .refetchIntervalInBackground(true)
                    .build();
            Subscription subscription = client.watch(options).subscribe(state -> { });
            awaitCalls(calls, 1);
            awaitState(client, FEED, FetchStatus.IDLE); // settled: a refetch now is a new fetch, not a join
            focus.setFocused(false);
            focus.setFocused(true);
            awaitCalls(calls, 2);
            subscription.unsubscribe();
        }
    }

    private static void awaitCalls(AtomicInteger calls, int expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (calls.get() < expected && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(expected, calls.get());
    }

    private static QueryState<String> awaitState(QueryClient client, QueryKey key, FetchStatus status) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            QueryState<String> state = client.getQueryState(key);
            if (state != null && state.getFetchStatus() == status) {
                return state;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("the state of " + key + " never became " + status);
    }
}
