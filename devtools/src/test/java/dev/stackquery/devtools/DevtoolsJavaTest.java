package dev.stackquery.devtools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackquery.QueryClient;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryOptions;
import dev.stackquery.future.FutureQueryClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The Java usage of StackQueryDevtools: start with a builder, read the URL, close with try-with-resources. */
class DevtoolsJavaTest {
    @Test
    void startsFromJavaAndServesTheQueryList() throws Exception {
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            QueryOptions<String> options =
                    QueryOptions.<String>builder(QueryKey.of("user", 42), () -> CompletableFuture.completedFuture("ada"))
                            .staleTime(Duration.ofMinutes(1))
                            .build();
            futures.fetchQuery(options).get();

            StackQueryDevtoolsOptions devtoolsOptions = StackQueryDevtoolsOptions.builder()
                    .port(0)
                    .readOnly(true)
                    .historySize(50)
                    .build();
            try (StackQueryDevtools devtools = StackQueryDevtools.start(client, devtoolsOptions)) {
                assertTrue(devtools.getUrl().startsWith("http://127.0.0.1:" + devtools.getPort() + "/?token="));
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> queries = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + devtools.getPort() + "/api/queries"))
                                .header("X-StackQuery-Token", devtools.getToken())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, queries.statusCode());
                assertTrue(queries.body().contains("\"key\":\"[\\\"user\\\",42]\""), queries.body());

                HttpResponse<String> refused = http.send(
                        HttpRequest.newBuilder(URI.create(devtools.getUrl().replace("/?", "/api/remove?") + "&key=%5B%5D"))
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(403, refused.statusCode());
                assertTrue(refused.body().contains("read-only"), refused.body());
            }
            assertEquals("ada", client.<String>getQueryData(QueryKey.of("user", 42)));
        }
    }

    @Test
    void startsWithTheDefaultOptions() throws Exception {
        try (QueryClient client = new QueryClient();
                StackQueryDevtools devtools = StackQueryDevtools.start(client)) {
            assertEquals(StackQueryDevtoolsOptions.DEFAULT, devtools.getOptions());
            assertTrue(devtools.getPort() > 0);
        }
    }
}
