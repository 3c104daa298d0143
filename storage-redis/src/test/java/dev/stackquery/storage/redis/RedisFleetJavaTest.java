package dev.stackquery.storage.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryOptions;
import dev.stackquery.QueryState;
import dev.stackquery.Subscription;
import dev.stackquery.future.FutureQueryClient;
import dev.stackquery.storage.QueryCodec;
import dev.stackquery.storage.StorageStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Java path of a fleet on Redis: the config builder with a RedisStorage and a
 * RedisSyncTransport, a Java codec, the future facade, and a second client that hydrates what the
 * first persisted and hears its invalidation.
 */
@ExtendWith(RequiresRedisExtension.class)
class RedisFleetJavaTest {
    /** A Java value class, persisted with a hand-written JSON codec. */
    static final class Account {
        final int id;
        final String owner;

        Account(int id, String owner) {
            this.id = id;
            this.owner = owner;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Account && ((Account) other).id == id && ((Account) other).owner.equals(owner);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, owner);
        }

        @Override
        public String toString() {
            return "Account(" + id + ", " + owner + ")";
        }
    }

    private static final Pattern ACCOUNT_JSON = Pattern.compile("\\{\"id\":(\\d+),\"owner\":\"([^\"]*)\"}");

    private static final QueryCodec<Account> ACCOUNT_CODEC = QueryCodec.of(
            account -> "{\"id\":" + account.id + ",\"owner\":\"" + account.owner + "\"}",
            json -> {
                Matcher matcher = ACCOUNT_JSON.matcher(json);
                if (!matcher.matches()) throw new IllegalArgumentException("not an account: " + json);
                return new Account(Integer.parseInt(matcher.group(1)), matcher.group(2));
            });

    private final String namespace = TestRedis.uniqueNamespace();
    private final String channel = TestRedis.uniqueChannel();
    private final List<QueryClient> clients = new ArrayList<>();
    private final List<RedisStorage> storages = new ArrayList<>();

    private QueryClient client() {
        RedisStorage storage = RedisStorage.create(TestRedis.URI,
                RedisStorageOptions.builder().namespace(namespace).commandTimeout(Duration.ofSeconds(1)).build());
        QueryClient client = new QueryClient(QueryClientConfig.builder()
                .staleTime(Duration.ofMinutes(10))
                .storage(storage)
                .sync(RedisSyncTransport.create(TestRedis.URI, channel))
                .build());
        clients.add(client);
        storages.add(storage);
        return client;
    }

    private static QueryOptions<Account> accountOptions(AtomicInteger calls, String owner) {
        return QueryOptions.<Account>builder(QueryKey.of("account", 7),
                        () -> CompletableFuture.completedFuture(new Account(7, owner + "-" + calls.incrementAndGet())))
                .codec(ACCOUNT_CODEC)
                .build();
    }

    @AfterEach
    void closeAndClean() throws Exception {
        for (QueryClient client : clients) {
            FutureQueryClient.of(client).flush().get(5, TimeUnit.SECONDS);
            client.close();
        }
        for (RedisStorage storage : storages) storage.close();
        TestRedis.removeNamespace(namespace);
    }

    @Test
    void aSecondClientHydratesWhatTheFirstPersistedAndHearsItsInvalidation() throws Exception {
        QueryClient first = client();
        QueryClient second = client();
        FutureQueryClient firstFutures = FutureQueryClient.of(first);
        FutureQueryClient secondFutures = FutureQueryClient.of(second);
        AtomicInteger firstCalls = new AtomicInteger();
        AtomicInteger secondCalls = new AtomicInteger();

        assertEquals(new Account(7, "first-1"), firstFutures.fetchQuery(accountOptions(firstCalls, "first")).join());
        firstFutures.flush().join();

        QueryOptions<Account> secondOptions = accountOptions(secondCalls, "second");
        assertEquals(new Account(7, "first-1"), secondFutures.fetchQuery(secondOptions).join());
        assertEquals(0, secondCalls.get());
        StorageStats stats = second.storageStats();
        assertEquals(1, stats.getHits());

        // The second client observes the key; the first invalidates the prefix: the observer refetches.
        CompletableFuture<QueryState<Account>> refetched = new CompletableFuture<>();
        try (Subscription subscription = second.watch(secondOptions).subscribe(state -> {
            if (new Account(7, "second-1").equals(state.getData()) && !state.isFetching()) refetched.complete(state);
        }, Runnable::run)) {
            TestRedis.awaitSubscribersBlocking(channel, 2);
            firstFutures.invalidateQueries(QueryKey.of("account")).join();
            QueryState<Account> state = refetched.get(5, TimeUnit.SECONDS);
            assertTrue(state.isSuccess());
            assertEquals(1, secondCalls.get());
            assertTrue(subscription.isSubscribed());
        }
    }
}
