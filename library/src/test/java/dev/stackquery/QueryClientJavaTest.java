package dev.stackquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The core API as a Java caller writes it: no Kotlin types, no Companion, no Unit. */
class QueryClientJavaTest {

    @Test
    void clientsAreBuiltWithDefaultsOrFromTheBuilderAndClosedByTryWithResources() {
        try (QueryClient client = new QueryClient()) {
            assertEquals(3, client.getConfig().getRetry());
            assertEquals(1000, client.getConfig().getCacheMaxSize());
            assertSame(QueryClock.SYSTEM, client.getConfig().getClock());
        }
        QueryClientConfig config = QueryClientConfig.builder()
                .staleTime(Duration.ofSeconds(30))
                .gcTime(Duration.ofMinutes(1))
                .retry(1)
                .cacheMaxSize(10)
                .build();
        try (QueryClient client = new QueryClient(config)) {
            assertSame(config, client.getConfig());
            assertEquals(1, client.getConfig().getRetry());
            assertEquals(10, client.getConfig().getCacheMaxSize());
            assertSame(RetryPolicy.DEFAULT, client.getConfig().getRetryPolicy());
        }
    }

    @Test
    void builderRejectsInvalidValuesWithMessagesNamingTheField() {
        QueryClientConfig.Builder builder = QueryClientConfig.builder();
        IllegalArgumentException retry = assertThrows(IllegalArgumentException.class, () -> builder.retry(-1));
        assertTrue(retry.getMessage().contains("retry"), retry.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> builder.cacheMaxSize(0));
        assertTrue(size.getMessage().contains("cacheMaxSize"), size.getMessage());
        IllegalArgumentException stale =
                assertThrows(IllegalArgumentException.class, () -> builder.staleTime(Duration.ofSeconds(-1)));
        assertTrue(stale.getMessage().contains("staleTime"), stale.getMessage());
        IllegalArgumentException gc =
                assertThrows(IllegalArgumentException.class, () -> builder.gcTime(Duration.ofMillis(-1)));
        assertTrue(gc.getMessage().contains("gcTime"), gc.getMessage());
    }

    @Test
    void keysAreValuesWithACanonicalJsonTextForm() {
        QueryKey key = QueryKey.of("user", 42);
        assertEquals(QueryKey.of("user", 42L), key);
        assertEquals(QueryKey.of("user", 42L).hashCode(), key.hashCode());
        assertEquals("[\"user\",42]", key.toString());
        assertNotEquals(QueryKey.of(1), QueryKey.of("1"));
        assertEquals("[\"a\",1.5,true]", QueryKey.of("a", 1.5, true).toString());
        assertEquals(2, key.getSize());
        assertEquals(42L, key.get(1));
        List<Object> expected = new ArrayList<>();
        expected.add("user");
        expected.add(42L);
        assertEquals(expected, key.getSegments());
        assertEquals(0, QueryKey.EMPTY.getSize());
    }

    @Test
    void keysRejectOtherSegmentTypesNamingTheSegment() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> QueryKey.of("user", new Object()));
        assertTrue(e.getMessage().contains("segment 1"), e.getMessage());
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
        IllegalArgumentException nul =
                assertThrows(IllegalArgumentException.class, () -> QueryKey.of("user", null));
        assertTrue(nul.getMessage().contains("segment 1"), nul.getMessage());
    }

    @Test
    void startsWithIsThePrefixRule() {
        QueryKey key = QueryKey.of("user", 1, "posts");
        assertTrue(key.startsWith(QueryKey.of("user")));
        assertTrue(key.startsWith(QueryKey.of("user", 1)));
        assertTrue(key.startsWith(key));
        assertTrue(key.startsWith(QueryKey.EMPTY));
        assertFalse(key.startsWith(QueryKey.of("users")));
        assertFalse(QueryKey.of("user").startsWith(key));
    }

    @Test
    void filtersSelectByPrefixExactKeyOrEverything() {
        QueryKey user = QueryKey.of("user");
        QueryFilter prefix = QueryFilter.prefix(user);
        assertSame(user, prefix.getQueryKey());
        assertFalse(prefix.isExact());
        QueryFilter exact = QueryFilter.exact(user);
        assertTrue(exact.isExact());
        assertNull(QueryFilter.ALL.getQueryKey());
        assertEquals(QueryFilter.Type.ALL, QueryFilter.ALL.getType());

        try (QueryClient client = new QueryClient()) {
            client.setQueryData(QueryKey.of("user"), "root");
            client.setQueryData(QueryKey.of("user", 1), "one");
            client.setQueryData(QueryKey.of("post", 1), "post");
            client.removeQueries(QueryFilter.exact(user));
            assertNull(client.getQueryState(QueryKey.of("user")));
            assertNotNull(client.getQueryState(QueryKey.of("user", 1)));
            client.removeQueries(QueryFilter.prefix(user));
            assertNull(client.getQueryState(QueryKey.of("user", 1)));
            assertNotNull(client.getQueryState(QueryKey.of("post", 1)));
            client.removeQueries(QueryFilter.ALL);
            assertNull(client.getQueryState(QueryKey.of("post", 1)));
        }
    }

    @Test
    void retryPoliciesAreBuiltWithJavaDurationsAndLambdas() {
        Exception ex = new IllegalStateException("down");
        RetryPolicy policy = RetryPolicy.exponential(
                Duration.ofSeconds(1), Duration.ofSeconds(30), 0.0, (n, e) -> true);
        assertEquals(1000, policy.delayMillis(1, ex));
        assertEquals(4000, policy.delayMillis(3, ex));
        assertEquals(30000, policy.delayMillis(10, ex));
        assertTrue(policy.shouldRetry(1, ex));

        RetryPolicy onlyTwice = RetryPolicy.exponential(
                Duration.ofMillis(10), Duration.ofMillis(100), 0.5, (n, e) -> n < 2);
        assertTrue(onlyTwice.shouldRetry(1, ex));
        assertFalse(onlyTwice.shouldRetry(2, ex));

        RetryPolicy fixed = RetryPolicy.fixed(Duration.ofMillis(5));
        assertEquals(5, fixed.delayMillis(1, ex));
        assertEquals(5, fixed.delayMillis(7, ex));

        assertEquals(1000, RetryPolicy.DEFAULT.delayMillis(1, ex));
        assertEquals(30000, RetryPolicy.DEFAULT.delayMillis(100, ex));
        assertTrue(RetryPolicy.DEFAULT.shouldRetry(1, ex));

        IllegalArgumentException jitter = assertThrows(IllegalArgumentException.class,
                () -> RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(2), 1.5, (n, e) -> true));
        assertTrue(jitter.getMessage().contains("jitter"), jitter.getMessage());
    }

    @Test
    void aJavaClassImplementsRetryPolicyWithOnlyDelayMillis() {
        RetryPolicy custom = new RetryPolicy() {
            @Override
            public long delayMillis(int failureCount, Throwable error) {
                return 7L * failureCount;
            }
        };
        assertEquals(14, custom.delayMillis(2, new RuntimeException()));
        assertTrue(custom.shouldRetry(1, new RuntimeException()));
    }

    @Test
    void setQueryDataThenReadDataStateAndStats() {
        try (QueryClient client = new QueryClient()) {
            QueryKey key = QueryKey.of("user", 42);
            assertNull(client.getQueryData(key));
            assertNull(client.getQueryState(key));

            assertEquals("x", client.setQueryData(key, "x"));
            String data = client.getQueryData(key);
            assertEquals("x", data);

            QueryState<String> state = client.getQueryState(key);
            assertNotNull(state);
            assertTrue(state.isSuccess());
            assertEquals(QueryStatus.SUCCESS, state.getStatus());
            assertEquals(FetchStatus.IDLE, state.getFetchStatus());
            assertEquals("x", state.getData());
            assertTrue(state.hasData());
            assertNull(state.getError());
            assertFalse(state.isFetching());
            assertTrue(state.getDataUpdatedAt() > 0);

            QueryStats stats = client.stats();
            assertEquals(0, stats.getHits());
            assertEquals(0, stats.getMisses());
            assertEquals(0, stats.getFetches());
            assertEquals(1.0, stats.getHitRate());
            assertEquals(0, client.isFetching());
            assertEquals(0, client.isFetching(QueryFilter.prefix(QueryKey.of("user"))));

            client.removeQueries(key);
            assertNull(client.getQueryState(key));
            assertNull(client.getQueryData(key));

            client.setQueryData(QueryKey.of("a"), 1);
            client.setQueryData(QueryKey.of("b"), 2);
            Integer b = client.getQueryData(QueryKey.of("b"));
            assertEquals(2, b);
            client.clear();
            assertNull(client.getQueryState(QueryKey.of("a")));
            assertNull(client.getQueryState(QueryKey.of("b")));
        }
    }

    @Test
    void setQueryDataWithNullStoresNullData() {
        try (QueryClient client = new QueryClient()) {
            QueryKey key = QueryKey.of("nullable");
            client.setQueryData(key, null);
            QueryState<String> state = client.getQueryState(key);
            assertNotNull(state);
            assertTrue(state.hasData());
            assertNull(state.getData());
        }
    }

    @Test
    void statesFromTheStaticFactories() {
        QueryState<String> idle = QueryState.idle();
        assertTrue(idle.isIdle());
        assertFalse(idle.hasData());
        QueryState<String> success = QueryState.success("v", 123L);
        assertTrue(success.isSuccess());
        assertEquals(123L, success.getDataUpdatedAt());
        assertEquals(QueryState.success("v", 123L), success);
    }
}
