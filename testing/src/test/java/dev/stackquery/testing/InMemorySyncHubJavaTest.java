package dev.stackquery.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryOptions;
import dev.stackquery.Subscription;
import dev.stackquery.future.FutureQueryClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * InMemorySyncHub from Java: two clients in one JVM kept coherent through it, a transport cut off
 * and restored. Both clients run on one single-thread executor, so each client's subscription to
 * the hub (queued when it is built) runs before anything queued later.
 */
class InMemorySyncHubJavaTest {

    /** The first state of each data value, as futures completed by an observer's listener. */
    private static final class Arrivals {
        final Map<String, CompletableFuture<Void>> seen = new ConcurrentHashMap<>();

        CompletableFuture<Void> of(String data) {
            return seen.computeIfAbsent(data, d -> new CompletableFuture<>());
        }

        void await(String data) throws Exception {
            of(data).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anInvalidationOnOneClientRefetchesTheOthersActiveQueryAndAReconnectRefetchesToo() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        InMemorySyncHub hub = new InMemorySyncHub();
        InMemorySyncHub.Transport transportA = hub.transport();
        InMemorySyncHub.Transport transportB = hub.transport();
        QueryClient a = new QueryClient(QueryClientConfig.builder().executor(executor).sync(transportA).build());
        QueryClient b = new QueryClient(QueryClientConfig.builder()
                .executor(executor)
                .staleTime(Duration.ofHours(1))
                .sync(transportB)
                .build());
        try {
            AtomicInteger calls = new AtomicInteger();
            QueryOptions<String> options = QueryOptions.<String>builder(QueryKey.of("user", 1),
                    () -> CompletableFuture.completedFuture("b" + calls.incrementAndGet())).build();
            Arrivals arrivals = new Arrivals();
            Subscription subscription = b.watch(options).subscribe(state -> {
                if (state.getData() != null) {
                    arrivals.of(state.getData()).complete(null);
                }
            });
            arrivals.await("b1");

            FutureQueryClient.of(a).invalidateQueries(QueryKey.of("user")).join();
            arrivals.await("b2");
            assertTrue(hub.getPublished().stream().anyMatch(message -> message.contains("\"op\":\"invalidate\"")),
                    hub.getPublished().toString());

            transportB.disconnect();
            assertFalse(transportB.isConnected());
            transportB.reconnect();
            assertTrue(transportB.isConnected());
            arrivals.await("b3");
            subscription.unsubscribe();
        } finally {
            a.close();
            b.close();
            executor.shutdown();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertTrue(transportA.isClosed());
        assertTrue(transportB.isClosed());
    }
}
