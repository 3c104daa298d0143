package dev.stackquery.storage.exposed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryState;
import dev.stackquery.future.FutureQueryClient;
import java.time.Duration;
import org.jetbrains.exposed.v1.jdbc.Database;
import org.jetbrains.exposed.v1.jdbc.transactions.TransactionManager;
import org.jetbrains.exposed.v1.jdbc.transactions.TransactionsKt;
import org.junit.jupiter.api.Test;

/** Java callers bind cache operations to an Exposed transaction and build a PostgresSyncTransport. */
class TransactionalCacheJavaTest {
    private static final QueryKey USERS = QueryKey.of("users");

    @Test
    void operationsRecordedInATransactionAreCarriedOutAtItsCommitAndForgottenAtARollback() {
        Database db = JavaTestSupport.h2Database();
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().build())) {
            client.setQueryData(USERS, "ada");
            TransactionsKt.transaction(db, null, null, tx -> {
                TransactionalCache.of(client).invalidateQueries(USERS);
                tx.rollback();
                return null;
            });
            assertFalse(state(client).isInvalidated());

            TransactionsKt.transaction(db, null, null, tx -> {
                TransactionalCache cache = TransactionalCache.of(client);
                cache.setQueryData(QueryKey.of("user", 1), "grace");
                cache.invalidateQueries(USERS);
                assertFalse(state(client).isInvalidated()); // not before the commit
                return null;
            });
            assertTrue(state(client).isInvalidated());
            assertEquals("grace", client.getQueryData(QueryKey.of("user", 1)));
        } finally {
            TransactionManager.Companion.closeAndUnregister(db);
        }
    }

    @Test
    void outsideATransactionOfFailsAtOnce() {
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().build())) {
            assertThrows(IllegalStateException.class, () -> TransactionalCache.of(client));
        }
    }

    @Test
    void theBuilderValidatesEagerlyAndOpensNothing() {
        PostgresSyncTransport transport = PostgresSyncTransport.builder("jdbc:postgresql://127.0.0.1:1/none")
                .user("app").password("secret").channel("Shop_Sync").messageTable("app.sync_messages")
                .timeout(Duration.ofMillis(1500)).property("sslmode", "disable").build();
        assertEquals("Shop_Sync", transport.getChannel());
        assertEquals("app.sync_messages", transport.getMessageTable());
        assertEquals("PostgresSyncTransport(jdbc:postgresql://127.0.0.1:1/none, channel=Shop_Sync)", transport.toString());
        transport.close();
        assertEquals(PostgresSyncTransport.DEFAULT_CHANNEL, PostgresSyncTransport.create("jdbc:postgresql:test").getChannel());
        assertThrows(IllegalArgumentException.class, () -> PostgresSyncTransport.builder("jdbc:mysql://x/y"));
        assertThrows(IllegalArgumentException.class,
                () -> PostgresSyncTransport.builder("jdbc:postgresql:test").timeout(Duration.ZERO));
    }

    @Test
    void twoClientsOnPostgresqlOnlySeeEachOthersInvalidations() throws Exception {
        boolean required = "true".equals(System.getenv("STACKQUERY_REQUIRE_SERVICES"));
        assumeTrue(required || TestServices.INSTANCE.getPostgres().getReachable(), "PostgreSQL is not reachable");
        String channel = PostgresFleetKt.uniqueChannel();
        try (QueryClient a = new QueryClient(QueryClientConfig.builder()
                        .sync(PostgresSyncTransport.create(PostgresFleetKt.POSTGRES_URL, channel)).build());
                QueryClient b = new QueryClient(QueryClientConfig.builder()
                        .sync(PostgresSyncTransport.builder(PostgresFleetKt.POSTGRES_URL).channel(channel).build())
                        .build())) {
            // The transports start listening in the background: invalidate until B has heard (bounded, real server).
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            b.setQueryData(USERS, "held");
            while (!state(b).isInvalidated()) {
                assertTrue(System.nanoTime() < deadline, "B did not hear A within 15 s");
                FutureQueryClient.of(a).invalidateQueries(USERS).join();
                Thread.sleep(50);
            }
            assertNull(a.getQueryState(USERS)); // A held nothing: only B was concerned
        }
    }

    private static QueryState<Object> state(QueryClient client) {
        return client.getQueryState(USERS);
    }
}
