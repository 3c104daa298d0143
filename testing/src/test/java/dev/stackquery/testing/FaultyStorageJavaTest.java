package dev.stackquery.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryOptions;
import dev.stackquery.future.FutureQueryClient;
import dev.stackquery.storage.AsyncStorageBackend;
import dev.stackquery.storage.InMemoryStorage;
import dev.stackquery.storage.QueryCodec;
import dev.stackquery.storage.StorageUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** FaultyStorage from Java: its modes and settings are plain Java properties, switched while in use. */
class FaultyStorageJavaTest {

    private static final QueryCodec<String> TEXT =
            QueryCodec.of(s -> "\"" + s + "\"", json -> json.substring(1, json.length() - 1));

    @Test
    void eachModeDecidesWhatTheNextCallDoesAndEveryCallIsRecorded() {
        FaultyStorage faulty = new FaultyStorage(new InMemoryStorage(new ManualClock()));
        AsyncStorageBackend storage = AsyncStorageBackend.of(faulty);
        storage.set("k", "v", null).toCompletableFuture().join();

        faulty.setMode(FaultyStorage.Mode.GARBAGE);
        assertEquals("{not json", storage.get("k").toCompletableFuture().join());

        faulty.setMode(FaultyStorage.Mode.THROW);
        CompletionException failure =
                assertThrows(CompletionException.class, () -> storage.get("k").toCompletableFuture().join());
        assertInstanceOf(StorageUnavailableException.class, failure.getCause());
        assertEquals("injected failure: get k", failure.getCause().getMessage());

        faulty.setMode(FaultyStorage.Mode.OK);
        assertEquals("v", storage.get("k").toCompletableFuture().join());
        assertEquals(List.of("set k", "get k", "get k", "get k"), faulty.getCalls());
        assertEquals(3, faulty.count("get"));

        faulty.clearCalls();
        assertEquals(List.of(), faulty.getCalls());
    }

    @Test
    void itsSettingsAreJavaPropertiesWithJavaDurations() {
        FaultyStorage faulty = new FaultyStorage();
        assertEquals(FaultyStorage.Mode.OK, faulty.getMode());
        assertEquals(Duration.ZERO, faulty.getLatencyDuration());
        faulty.setLatencyDuration(Duration.ofMillis(250));
        assertEquals(Duration.ofMillis(250), faulty.getLatencyDuration());
        assertThrows(IllegalArgumentException.class, () -> faulty.setLatencyDuration(Duration.ofMillis(-1)));
        assertEquals(Duration.ofMillis(250), faulty.getLatencyDuration());
        assertTrue(faulty.isBatching());
        faulty.setBatching(false);
        assertFalse(faulty.isBatching());
        assertEquals(0, faulty.getInner().getSize());
    }

    @Test
    void aFailingStorageNeverFailsAQueryAndTheClientWritesOnceItRecovers() {
        FaultyStorage faulty = new FaultyStorage();
        faulty.setMode(FaultyStorage.Mode.THROW);
        QueryKey key = QueryKey.of("greeting", 1);
        QueryOptions<String> options = QueryOptions.<String>builder(key, () -> CompletableFuture.completedFuture("hello"))
                .codec(TEXT)
                .build();
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().storage(faulty).build())) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            assertEquals("hello", futures.fetchQuery(options).join());
            assertEquals(1, faulty.count("get"));
            faulty.setMode(FaultyStorage.Mode.OK);
            futures.flush().join();
        }
        assertTrue(faulty.count("set") >= 1, faulty.getCalls().toString());
        assertEquals(1, faulty.getInner().getSize());
    }
}
