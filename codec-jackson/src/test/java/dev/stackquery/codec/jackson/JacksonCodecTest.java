package dev.stackquery.codec.jackson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryOptions;
import dev.stackquery.future.FutureQueryClient;
import dev.stackquery.storage.CodecException;
import dev.stackquery.storage.InMemoryStorage;
import dev.stackquery.storage.QueryCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** JacksonCodec from Java: records, generic types, failures, a round trip through the L2 tier, and the README's snippet. */
class JacksonCodecTest {
    record User(long id, String name) {
    }

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void recordsRoundTrip() {
        QueryCodec<User> codec = JacksonCodec.of(mapper, User.class);
        String json = codec.encode(new User(42, "Ada"));
        assertEquals("{\"id\":42,\"name\":\"Ada\"}", json);
        assertEquals(new User(42, "Ada"), codec.decode(json));
    }

    @Test
    void genericTypesRoundTripWithATypeReference() {
        QueryCodec<List<User>> codec = JacksonCodec.of(mapper, new TypeReference<List<User>>() { });
        List<User> users = List.of(new User(1, "Ada"), new User(2, "Alan"));
        assertEquals(users, codec.decode(codec.encode(users)));
    }

    @Test
    void textJacksonCannotReadIsACodecExceptionNamingTheType() {
        QueryCodec<User> codec = JacksonCodec.of(mapper, User.class);
        CodecException error = assertThrows(CodecException.class, () -> codec.decode("{\"id\":\"not a number\"}"));
        assertTrue(error.getMessage().startsWith("Jackson could not read a dev.stackquery.codec.jackson.JacksonCodecTest$User"),
                error.getMessage());
    }

    @Test
    void queryCodecOfTakesFunctionsThatThrowCheckedExceptions() {
        QueryCodec<User> codec = QueryCodec.of(mapper::writeValueAsString, json -> mapper.readValue(json, User.class));
        assertEquals(new User(7, "Alan"), codec.decode(codec.encode(new User(7, "Alan"))));
        CodecException error = assertThrows(CodecException.class, () -> codec.decode("not json"));
        assertTrue(error.getMessage().startsWith("the codec's decode failed: "), error.getMessage());
    }

    @Test
    void aSecondClientReadsTheRecordsTheFirstPersisted() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        AtomicInteger calls = new AtomicInteger();
        QueryOptions<User> options = QueryOptions.<User>builder(QueryKey.of("user", 42),
                        () -> CompletableFuture.completedFuture(new User(42, "Ada " + calls.incrementAndGet())))
                .codec(JacksonCodec.of(mapper, User.class))
                .staleTime(java.time.Duration.ofMinutes(5))
                .build();
        try (QueryClient first = new QueryClient(QueryClientConfig.builder().storage(storage).build())) {
            FutureQueryClient.of(first).fetchQuery(options).get(10, TimeUnit.SECONDS);
            FutureQueryClient.of(first).flush().get(10, TimeUnit.SECONDS);
        }
        try (QueryClient second = new QueryClient(QueryClientConfig.builder().storage(storage).build())) {
            assertEquals(new User(42, "Ada 1"), FutureQueryClient.of(second).fetchQuery(options).get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, calls.get());
    }

    @Test
    void theReadmeSnippetIsThisOne() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String begin = "<!-- jackson:begin -->\n```java\n";
        String block = readme.substring(readme.indexOf(begin) + begin.length());
        block = block.substring(0, block.indexOf("```\n<!-- jackson:end -->"));
        String source = Files.readString(Path.of("src/test/java/dev/stackquery/codec/jackson/JacksonCodecTest.java"));
        String from = "        // readme:begin\n";
        String snippet = source.substring(source.indexOf(from) + from.length(), source.indexOf("        // readme:end\n"));
        assertEquals(snippet.replaceAll("(?m)^ {8}", ""), block);
    }

    @Test
    void theReadmeSnippetRuns() throws Exception {
        // readme:begin
        ObjectMapper mapper = new ObjectMapper();                       // your configured mapper
        QueryCodec<User> users = JacksonCodec.of(mapper, User.class);  // a record, a bean, a String…
        QueryCodec<List<User>> lists = JacksonCodec.of(mapper, new TypeReference<List<User>>() { });
        QueryOptions<User> ada = QueryOptions.<User>builder(QueryKey.of("user", 42),
                        () -> CompletableFuture.completedFuture(new User(42, "Ada")))
                .codec(users)                                           // persisted in the client's storage
                .build();
        // readme:end
        assertEquals("[{\"id\":42,\"name\":\"Ada\"}]", lists.encode(List.of(new User(42, "Ada"))));
        assertEquals(users, ada.getCodec());
    }
}
