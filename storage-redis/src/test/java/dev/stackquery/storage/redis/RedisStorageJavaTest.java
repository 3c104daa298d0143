package dev.stackquery.storage.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackquery.storage.BatchStorage;
import dev.stackquery.storage.PrefixDeletableStorage;
import dev.stackquery.storage.StorageBackend;
import dev.stackquery.sync.SyncTransport;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The Java path: factories, the options builder, getters and close, with no Kotlin-isms. None of
 * this needs a Redis server (connections open lazily, in the background).
 */
class RedisStorageJavaTest {
    private static final String URI = "redis://127.0.0.1:6379/0";

    @Test
    void optionsBuilderSetsEveryFieldAndValidatesEagerly() {
        RedisStorageOptions options = RedisStorageOptions.builder()
                .namespace("shop:")
                .commandTimeout(Duration.ofMillis(500))
                .connectTimeout(Duration.ofSeconds(1))
                .silent(true)
                .scanCount(200)
                .build();

        assertEquals("shop:", options.getNamespace());
        assertEquals(Duration.ofMillis(500), options.getCommandTimeoutDuration());
        assertEquals(Duration.ofSeconds(1), options.getConnectTimeoutDuration());
        assertTrue(options.getSilent());
        assertEquals(200, options.getScanCount());
        assertEquals(options, options.toBuilder().build());

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> RedisStorageOptions.builder().connectTimeout(Duration.ZERO));
        assertEquals("connectTimeout must be positive and finite, was 0s", error.getMessage());
    }

    @Test
    void defaultsAreReachableAsConstants() {
        assertEquals("stackquery:", RedisStorageOptions.DEFAULT_NAMESPACE);
        assertEquals(1000, RedisStorageOptions.DEFAULT_SCAN_COUNT);
        assertEquals(Duration.ofSeconds(2), RedisStorageOptions.DEFAULT.getCommandTimeoutDuration());
        assertFalse(RedisStorageOptions.DEFAULT.getSilent());
        assertEquals("stackquery:sync", RedisSyncTransport.DEFAULT_CHANNEL);
    }

    @Test
    void storageIsCreatedWithOrWithoutOptionsAndClosedWithTryWithResources() {
        RedisStorageOptions options = RedisStorageOptions.builder().namespace("java-test:").build();
        try (RedisStorage storage = RedisStorage.create(URI, options)) {
            assertSame(options, storage.getOptions());
            StorageBackend backend = storage;
            assertTrue(backend instanceof BatchStorage);
            assertTrue(backend instanceof PrefixDeletableStorage);
            assertEquals("RedisStorage(redis://127.0.0.1:6379/0, namespace=java-test:)", storage.toString());
        }
        RedisStorage withDefaults = RedisStorage.create(URI);
        assertSame(RedisStorageOptions.DEFAULT, withDefaults.getOptions());
        withDefaults.close();
        withDefaults.close(); // idempotent
    }

    @Test
    void transportIsCreatedWithAChannelAndATimeoutAndClosed() {
        try (RedisSyncTransport transport = RedisSyncTransport.create(URI, "java-test:sync")) {
            assertEquals("java-test:sync", transport.getChannel());
            SyncTransport spi = transport;
            assertEquals("RedisSyncTransport(redis://127.0.0.1:6379/0, channel=java-test:sync)", spi.toString());
        }
        try (RedisSyncTransport transport = RedisSyncTransport.create(URI, "java-test:sync", Duration.ofMillis(300))) {
            assertEquals("java-test:sync", transport.getChannel());
        }
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (RedisSyncTransport transport = RedisSyncTransport.create(URI, "java-test:sync", Duration.ofMillis(300), pool)) {
            assertEquals("java-test:sync", transport.getChannel());
        } finally {
            pool.shutdownNow();
        }
        RedisSyncTransport defaults = RedisSyncTransport.create(URI);
        assertEquals(RedisSyncTransport.DEFAULT_CHANNEL, defaults.getChannel());
        defaults.close();

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> RedisSyncTransport.create("http://example", "c"));
        assertTrue(error.getMessage().startsWith("Not a Redis URI"), error.getMessage());
    }
}
