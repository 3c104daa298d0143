package dev.stackquery.storage.exposed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryOptions;
import dev.stackquery.future.FutureQueryClient;
import dev.stackquery.storage.QueryCodec;
import dev.stackquery.storage.StorageStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Java application persisting its queries in SQLite through ExposedStorage, across two clients. */
class ClientPersistenceJavaTest {
    @TempDir
    Path dir;

    /** A codec as a Java application writes one (Jackson or Gson in real code). */
    private static final QueryCodec<String> TEXT =
            QueryCodec.of(s -> "\"" + s + "\"", json -> json.substring(1, json.length() - 1));

    private static QueryOptions<String> greeting(String value, AtomicInteger calls) {
        return QueryOptions.<String>builder(QueryKey.of("greeting", 1), () -> {
                    calls.incrementAndGet();
                    return CompletableFuture.completedFuture(value);
                })
                .codec(TEXT)
                .build();
    }

    private static QueryClientConfig config(ExposedStorage storage) {
        return QueryClientConfig.builder().staleTime(Duration.ofHours(1)).storage(storage).build();
    }

    @Test
    void aSecondClientOnTheSameSqliteFileHydratesWithoutCallingItsFunction() {
        Path file = dir.resolve("cache.db");
        AtomicInteger firstCalls = new AtomicInteger();
        try (ExposedStorage storage = ExposedStorage.sqlite(file); QueryClient client = new QueryClient(config(storage))) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            assertEquals("hello", futures.fetchQuery(greeting("hello", firstCalls)).join());
            futures.flush().join();
            assertEquals(1L, client.storageStats().getWrites());
        }
        assertEquals(1, firstCalls.get());

        AtomicInteger secondCalls = new AtomicInteger();
        try (ExposedStorage storage = ExposedStorage.sqlite(file); QueryClient client = new QueryClient(config(storage))) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            assertEquals("hello", futures.fetchQuery(greeting("refetched", secondCalls)).join());
            StorageStats stats = client.storageStats();
            assertEquals(1L, stats.getHits());
            assertEquals(0L, stats.getMisses());
        }
        assertEquals(0, secondCalls.get());
    }
}
