package dev.stackquery.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryOptions;
import dev.stackquery.future.FutureQueryClient;
import dev.stackquery.storage.InMemoryStorage;
import dev.stackquery.storage.QueryCodec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The README's Java example of the test kit (between the readme markers; ReadmeSpec keeps them equal). */
class TestKitJavaExampleTest {

    private final QueryOptions<String> options = QueryOptions.<String>builder(
                    QueryKey.of("user", 42), () -> CompletableFuture.completedFuture("Ann"))
            .codec(QueryCodec.of(s -> "\"" + s + "\"", json -> json.substring(1, json.length() - 1)))
            .build();

    @Test
    void theKitDrivesAClientFromJava() {
        // readme:begin
        ManualClock clock = new ManualClock();
        FaultyStorage storage = new FaultyStorage(new InMemoryStorage(clock));
        InMemorySyncHub hub = new InMemorySyncHub(); // one transport per client: hub.transport()
        QueryClientConfig config = QueryClientConfig.builder()
                .clock(clock)
                .storage(storage)
                .sync(hub.transport())
                .build();
        try (QueryClient client = new QueryClient(config)) {
            storage.setMode(FaultyStorage.Mode.THROW); // every storage call fails from now on
            assertEquals("Ann", FutureQueryClient.of(client).fetchQuery(options).join()); // the query does not
            assertEquals(1, storage.count("get"));
            clock.advanceBy(Duration.ofMinutes(5)); // the data is now five minutes old
            storage.setMode(FaultyStorage.Mode.OK);
        }
        // readme:end
    }
}
