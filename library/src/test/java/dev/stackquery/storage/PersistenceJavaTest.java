package dev.stackquery.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryOptions;
import dev.stackquery.future.FutureQueryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The L2 tier from Java: builders, a Java codec, a Java storage through AsyncStorageBackend, flush futures. */
class PersistenceJavaTest {

    /** A storage written in Java: a map behind CompletionStages. */
    static final class MapStorage implements AsyncStorageBackend {
        final Map<String, String> map = new ConcurrentHashMap<>();

        @Override
        public CompletionStage<String> get(String key) {
            return CompletableFuture.completedFuture(map.get(key));
        }

        @Override
        public CompletionStage<Void> set(String key, String value, Duration ttl) {
            map.put(key, value);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> delete(String key) {
            map.remove(key);
            return CompletableFuture.completedFuture(null);
        }
    }

    /** A codec as a Java application writes one (here by hand; Jackson or Gson in real code). */
    static final QueryCodec<String> TEXT = QueryCodec.of(s -> "\"" + s + "\"", json -> json.substring(1, json.length() - 1));

    private static QueryOptions<String> options(String value, AtomicInteger calls) {
        return QueryOptions.<String>builder(QueryKey.of("greeting", 1), () -> {
                    calls.incrementAndGet();
                    return CompletableFuture.completedFuture(value);
                })
                .codec(TEXT)
                .build();
    }

    @Test
    void aSecondClientOnAJavaStorageHydratesWithoutCallingItsFunction() {
        MapStorage map = new MapStorage();
        StorageBackend storage = AsyncStorageBackend.asStorageBackend(map);
        QueryClientConfig config = QueryClientConfig.builder()
                .staleTime(Duration.ofMinutes(1))
                .storage(storage)
                .storageTimeout(Duration.ofSeconds(1))
                .persistMaxAge(Duration.ofHours(1))
                .storageNamespace("app:")
                .buster("v1")
                .build();
        AtomicInteger firstCalls = new AtomicInteger();
        try (QueryClient first = new QueryClient(config)) {
            FutureQueryClient futures = FutureQueryClient.of(first);
            assertEquals("hello", futures.fetchQuery(options("hello", firstCalls)).join());
            futures.flush().join();
        }
        String stored = map.map.get("app:[\"greeting\",1]");
        assertNotNull(stored);
        assertTrue(stored.startsWith("{\"v\":1,\"data\":\"hello\","), stored);
        assertTrue(stored.endsWith(",\"buster\":\"v1\"}"), stored);

        AtomicInteger secondCalls = new AtomicInteger();
        try (QueryClient second = new QueryClient(config)) {
            assertEquals("hello", FutureQueryClient.of(second).fetchQuery(options("other", secondCalls)).join());
            assertEquals(0, secondCalls.get());
            StorageStats stats = second.storageStats();
            assertNotNull(stats);
            assertEquals(1, stats.getHits());
        }
        assertEquals(1, firstCalls.get());
    }

    @Test
    void fileAndTieredStoragesAreBuiltFromJava() throws Exception {
        Path dir = Files.createTempDirectory("stackquery-java");
        FileStorage files = FileStorage.builder(dir).purgeInterval(Duration.ofHours(1)).silent(true).build();
        InMemoryStorage memory = new InMemoryStorage();
        try (TieredStorage tiered = new TieredStorage(List.of(memory, files), WriteStrategy.WRITE_BACK, Duration.ofMinutes(1))) {
            assertEquals(2, tiered.getTiers().size());
            assertEquals(WriteStrategy.WRITE_BACK, tiered.getWriteStrategy());
            assertEquals(Duration.ofMinutes(1), tiered.getBackfillTtlDuration());
            assertEquals(Duration.ofHours(1), files.getPurgeIntervalDuration());
            AtomicInteger calls = new AtomicInteger();
            try (QueryClient client = new QueryClient(QueryClientConfig.builder().storage(tiered).build())) {
                FutureQueryClient.of(client).fetchQuery(options("tiered", calls)).join();
                FutureQueryClient.of(client).flush().join();
            }
            assertEquals(2, tiered.stats().size());
        }
        assertThrows(IllegalArgumentException.class, () -> FileStorage.builder(dir).purgeInterval(Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new TieredStorage(List.of(new InMemoryStorage()), WriteStrategy.WRITE_BACK, null, 0));
        assertThrows(IllegalArgumentException.class, () -> QueryClientConfig.builder().storageTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> QueryClientConfig.builder().maxPendingWrites(0));
        assertThrows(IllegalArgumentException.class, () -> QueryClientConfig.builder().maxValueBytes(0));
        assertEquals(1_000, QueryClientConfig.builder().maxValueBytes(1_000).build().getMaxValueBytes());
        assertEquals(QueryClientConfig.DEFAULT_MAX_VALUE_BYTES, QueryClientConfig.builder().build().getMaxValueBytes());
        assertThrows(IllegalArgumentException.class, () -> QueryClientConfig.builder().persistMaxAge(Duration.ofSeconds(-1)));
    }

    @Test
    void javaCodeUsesAStorageDirectlyThroughTheAsyncAdapter() throws Exception {
        Path dir = Files.createTempDirectory("stackquery-java-direct");
        try (AsyncStorageBackend files = AsyncStorageBackend.of(FileStorage.builder(dir).build())) {
            files.set("k", "v", Duration.ofMinutes(1)).toCompletableFuture().join();
            assertEquals("v", files.get("k").toCompletableFuture().join());
            files.delete("k").toCompletableFuture().join();
            assertEquals(null, files.get("k").toCompletableFuture().join());
        }
    }

    @Test
    void storageErrorsFormOneHierarchy() {
        StorageException unavailable = new StorageUnavailableException("down");
        assertTrue(unavailable instanceof dev.stackquery.StackQueryException);
        assertTrue(new CodecException("bad") instanceof StorageException);
        assertTrue(new StorageKeyRejectedException("key too long") instanceof StorageException);
    }

    @Test
    void flushWithATimeoutTellsWhetherEverythingWasWritten() {
        MapStorage map = new MapStorage();
        QueryClientConfig config = QueryClientConfig.builder()
                .storage(AsyncStorageBackend.asStorageBackend(map))
                .build();
        try (QueryClient client = new QueryClient(config)) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            futures.fetchQuery(options("hello", new AtomicInteger())).join();
            boolean written = futures.flush(Duration.ofSeconds(10)).join();
            assertTrue(written);
            assertNotNull(map.map.get("stackquery:[\"greeting\",1]"));
            assertThrows(IllegalArgumentException.class, () -> futures.flush(Duration.ofSeconds(-1)));
        }
    }
}
