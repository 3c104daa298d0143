package dev.stackquery.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryOptions;
import dev.stackquery.future.FutureQueryClient;
import dev.stackquery.storage.AsyncStorageBackend;
import dev.stackquery.storage.InMemoryStorage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** ManualClock from Java: constructors, java.time.Duration moves, set, and use as a client's and a storage's clock. */
class ManualClockJavaTest {

    @Test
    void itStandsStillUntilMovedAndMovesByJavaDurations() {
        ManualClock clock = new ManualClock();
        assertEquals(ManualClock.DEFAULT_START_MILLIS, clock.nowMillis());
        assertEquals(ManualClock.DEFAULT_START_MILLIS, clock.nowMillis());
        assertEquals(ManualClock.DEFAULT_START_MILLIS + 5_000, clock.advanceBy(Duration.ofSeconds(5)));
        assertEquals(ManualClock.DEFAULT_START_MILLIS + 5_001, clock.advanceBy(Duration.ofNanos(1_999_999)));
        clock.set(42);
        assertEquals(42, clock.nowMillis());
        clock.set(-1);
        assertEquals(-1, clock.nowMillis());
        assertEquals(0, new ManualClock(0).nowMillis());
    }

    @Test
    void aNegativeOrOverflowingMoveIsRejectedAndLeavesTheClockUnchanged() {
        ManualClock clock = new ManualClock(1_000);
        assertThrows(IllegalArgumentException.class, () -> clock.advanceBy(Duration.ofMillis(-1)));
        clock.set(Long.MAX_VALUE - 1);
        assertThrows(ArithmeticException.class, () -> clock.advanceBy(Duration.ofMillis(2)));
        assertEquals(Long.MAX_VALUE - 1, clock.nowMillis());
    }

    @Test
    void concurrentMovesAddUp() throws InterruptedException {
        ManualClock clock = new ManualClock(0);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 1_000; i++) {
                    clock.advanceBy(Duration.ofMillis(1));
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(4_000, clock.nowMillis());
    }

    @Test
    void aStorageOnTheClockExpiresEntriesWhenTheClockPassesTheirTtl() {
        ManualClock clock = new ManualClock();
        AsyncStorageBackend storage = AsyncStorageBackend.of(new InMemoryStorage(clock));
        storage.set("k", "v", Duration.ofSeconds(10)).toCompletableFuture().join();
        clock.advanceBy(Duration.ofMillis(9_999));
        assertEquals("v", storage.get("k").toCompletableFuture().join());
        clock.advanceBy(Duration.ofMillis(1));
        assertNull(storage.get("k").toCompletableFuture().join());
    }

    @Test
    void aClientOnTheClockTimestampsDataWithIt() {
        ManualClock clock = new ManualClock();
        clock.advanceBy(Duration.ofHours(1));
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().clock(clock).build())) {
            QueryKey key = QueryKey.of("user", 42);
            QueryOptions<String> options =
                    QueryOptions.<String>builder(key, () -> CompletableFuture.completedFuture("Ann")).build();
            assertEquals("Ann", FutureQueryClient.of(client).fetchQuery(options).join());
            assertEquals(clock.nowMillis(), client.<String>getQueryState(key).getDataUpdatedAt());
        }
    }
}
