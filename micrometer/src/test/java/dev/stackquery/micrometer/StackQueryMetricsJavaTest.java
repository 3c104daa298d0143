package dev.stackquery.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryOptions;
import dev.stackquery.future.FutureQueryClient;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * StackQueryMetrics from plain Java: the static {@code bind}, the MeterBinder constructor and the
 * options builder, with no Kotlin type in sight.
 *
 * <p>Nothing sleeps and nothing races: the client runs on a {@link HandRunExecutor} whose tasks the
 * test runs on its own thread, the query function returns a CompletableFuture the test completes
 * by hand, and the registry's {@link MockClock} only moves when the test moves it.
 */
class StackQueryMetricsJavaTest {
    private static final QueryKey USER = QueryKey.of("user", 42);

    /** Queues the client's tasks; the test runs them on its own thread. */
    private static final class HandRunExecutor implements Executor {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable command) {
            tasks.add(command);
        }

        private synchronized Runnable next() {
            return tasks.poll();
        }

        /** Runs the queued tasks (and those they queue) until none is left. */
        void runAll() {
            Runnable task;
            while ((task = next()) != null) {
                task.run();
            }
        }
    }

    @Test
    void bindCountsExactlyAndTimesAFetchOnTheRegistryClock() {
        HandRunExecutor executor = new HandRunExecutor();
        MockClock clock = new MockClock();
        SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().executor(executor).build());
                StackQueryMetrics metrics = StackQueryMetrics.bind(client, registry, Tags.of("client", "users"))) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            CompletableFuture<String> response = new CompletableFuture<>();
            QueryOptions<String> options = QueryOptions.<String>builder(USER, () -> response).build();

            CompletableFuture<String> user = futures.fetchQuery(options);
            executor.runAll();
            assertEquals(1.0, registry.get("stackquery.fetches.active").tag("client", "users").gauge().value());
            clock.add(Duration.ofMillis(250));
            response.complete("Ada");
            executor.runAll();

            assertEquals("Ada", user.getNow(null));
            assertEquals(0.0, registry.get("stackquery.fetches.active").gauge().value());
            assertEquals(1.0, registry.get("stackquery.queries").gauge().value());
            assertEquals(1.0, registry.get("stackquery.requests").tag("result", "miss").functionCounter().count());
            assertEquals(0.0, registry.get("stackquery.requests").tag("result", "hit").functionCounter().count());
            assertEquals(1.0, registry.get("stackquery.fetches").functionCounter().count());
            Timer fetches = registry.get("stackquery.fetch.duration")
                    .tags("reason", "fetch", "outcome", "success", "client", "users")
                    .timer();
            assertEquals(1, fetches.count());
            assertEquals(250.0, fetches.totalTime(TimeUnit.MILLISECONDS));
        }
        assertTrue(registry.getMeters().isEmpty(), "closing the binder removes its meters");
    }

    @Test
    void aBinderBuiltFromOptionsBindsAsAMeterBinder() {
        HandRunExecutor executor = new HandRunExecutor();
        SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, new MockClock());
        StackQueryMetricsOptions options = StackQueryMetricsOptions.builder()
                .tags(Tags.of("client", "users"))
                .keyTagSegments(1)
                .maxKeyTagValues(10)
                .percentiles(0.5, 0.99)
                .serviceLevelObjectives(Duration.ofMillis(100))
                .build();
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().executor(executor).build())) {
            StackQueryMetrics metrics = new StackQueryMetrics(client, options);
            MeterBinder binder = metrics;
            binder.bindTo(registry);
            CompletableFuture<String> user = FutureQueryClient.of(client)
                    .fetchQuery(QueryOptions.<String>builder(USER, () -> CompletableFuture.completedFuture("Ada")).build());
            executor.runAll();
            assertEquals("Ada", user.getNow(null));
            Timer fetches = registry.get("stackquery.fetch.duration").tag("key", "[\"user\"]").timer();
            assertEquals(1, fetches.count());
            metrics.close();
            assertTrue(registry.getMeters().isEmpty());
        }
    }

    @Test
    void badOptionsAreRejectedWithTheFieldNamed() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> StackQueryMetricsOptions.builder().keyTagSegments(-2));
        assertEquals("keyTagSegments must be >= 0, was -2", error.getMessage());
        error = assertThrows(IllegalArgumentException.class,
                () -> StackQueryMetricsOptions.builder().serviceLevelObjectives(Duration.ofMillis(-1)));
        assertEquals("serviceLevelObjectives must each be positive, was PT-0.001S", error.getMessage());
        assertEquals(StackQueryMetricsOptions.DEFAULT, StackQueryMetricsOptions.builder().build());
        assertEquals(StackQueryMetricsOptions.DEFAULT_MAX_KEY_TAG_VALUES, StackQueryMetricsOptions.DEFAULT.getMaxKeyTagValues());
    }
}
