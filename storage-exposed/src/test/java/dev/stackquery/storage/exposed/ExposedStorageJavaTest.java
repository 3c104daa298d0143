package dev.stackquery.storage.exposed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackquery.QueryClock;
import dev.stackquery.storage.BatchStorage;
import dev.stackquery.storage.PrefixDeletableStorage;
import dev.stackquery.storage.PurgeableStorage;
import dev.stackquery.storage.StorageBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Java callers construct an ExposedStorage and hand it to a client; this is that path. */
class ExposedStorageJavaTest {
    @TempDir
    Path dir;

    @Test
    void sqliteWithDefaultsIsAStorageWithEveryCapabilityAndClosesIdempotently() {
        ExposedStorage storage = ExposedStorage.sqlite(dir.resolve("cache.db"));
        StorageBackend backend = storage;
        assertEquals("{\"v\":1}", JavaTestSupport.setThenGet(storage, "[\"user\",42]", "{\"v\":1}"));
        assertInstanceOf(BatchStorage.class, backend);
        assertInstanceOf(PrefixDeletableStorage.class, backend);
        assertInstanceOf(PurgeableStorage.class, backend);
        assertEquals("ExposedStorage(sqlite, file " + dir.resolve("cache.db").toAbsolutePath() + ", table=stackquery_cache)",
                storage.toString());
        storage.close();
        storage.close();
    }

    @Test
    void sqliteCreatesMissingParentDirectoriesAndRejectsADirectory() {
        Path nested = dir.resolve("a").resolve("b").resolve("cache.db");
        ExposedStorage storage = ExposedStorage.sqlite(nested, ExposedStorageOptions.DEFAULT);
        assertTrue(Files.isDirectory(nested.getParent()));
        storage.close();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExposedStorage.sqlite(dir));
        assertEquals("path must be an SQLite file, was the directory " + dir, e.getMessage());
    }

    @Test
    void optionsBuilderSetsEveryFieldAndValidatesTheTableNameEagerly() {
        QueryClock clock = () -> 1_700_000_000_000L;
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            ExposedStorageOptions options = ExposedStorageOptions.builder()
                    .tableName("java_cache")
                    .clock(clock)
                    .silent(true)
                    .executor(executor)
                    .build();
            assertEquals("java_cache", options.getTableName());
            assertSame(clock, options.getClock());
            assertTrue(options.getSilent());
            assertEquals("stackquery_cache", ExposedStorageOptions.DEFAULT_TABLE_NAME);
            assertEquals(48, ExposedStorageOptions.MAX_TABLE_NAME_LENGTH);
            assertFalse(ExposedStorageOptions.DEFAULT.getSilent());

            ExposedStorageOptions.Builder builder = ExposedStorageOptions.builder();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> builder.tableName("cache; DROP TABLE users"));
            assertEquals("tableName must be an SQL identifier (an ASCII letter or '_', then letters, digits or '_', "
                    + "at most 48 characters), was \"cache; DROP TABLE users\"", e.getMessage());
            assertEquals("stackquery_cache", builder.build().getTableName());
        } finally {
            executor.shutdown();
        }
    }

    @Test
    void createOverACallersDataSourceStoresInItsTableAndLeavesTheDataSourceUsable() throws SQLException {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:java_test;DB_CLOSE_DELAY=-1");
        ExposedStorage storage = ExposedStorage.create(dataSource,
                ExposedStorageOptions.builder().tableName("java_cache").build());
        assertEquals(768, ExposedStorage.MAX_KEY_LENGTH);
        assertEquals("Grüße", JavaTestSupport.setThenGet(storage, "greeting", "Grüße"));
        storage.close();
        try (Connection connection = dataSource.getConnection();
                ResultSet rs = connection.createStatement().executeQuery("SELECT \"value\" FROM JAVA_CACHE WHERE \"key\" = 'greeting'")) {
            assertTrue(rs.next());
            assertEquals("Grüße", rs.getString(1));
        } finally {
            try (Connection connection = dataSource.getConnection()) {
                connection.createStatement().execute("SHUTDOWN");
            }
        }
    }
}
