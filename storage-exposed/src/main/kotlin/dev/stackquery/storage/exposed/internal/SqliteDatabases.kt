package dev.stackquery.storage.exposed.internal

import com.zaxxer.hikari.HikariConfig
import com.zaxxer.hikari.HikariDataSource
import org.jetbrains.exposed.v1.core.DatabaseConfig
import org.jetbrains.exposed.v1.jdbc.Database
import org.jetbrains.exposed.v1.jdbc.transactions.TransactionManager
import org.sqlite.SQLiteConfig
import org.sqlite.SQLiteDataSource
import java.nio.file.Files
import java.nio.file.Path
import java.sql.DriverManager
import java.sql.SQLException
import java.time.Instant
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter

/**
 * The SQLite file an [dev.stackquery.storage.exposed.ExposedStorage.sqlite] storage opens and owns:
 * a [writer] database over one pooled connection that starts its transactions with
 * `BEGIN IMMEDIATE` (it takes the file's write lock up front, waiting through the busy timeout,
 * so a transaction never fails half-way on a lock another process holds), and a [reader] database
 * over a few pooled connections that read concurrently with the writer (WAL). Every connection
 * uses WAL journaling, `synchronous=NORMAL` (durable at checkpoints, never corrupt) and
 * [BUSY_TIMEOUT_MILLIS].
 *
 * Nothing is opened here: the pools connect on first use, on the storage's I/O context.
 */
internal class SqliteDatabases(private val path: Path) : AutoCloseable {
    private val url = "jdbc:sqlite:${path.toAbsolutePath()}"
    private val writerPool = SwappablePool { pool("writer", path, SQLiteConfig.TransactionMode.IMMEDIATE, size = 1) }
    private val readerPool =
        SwappablePool { pool("reader", path, SQLiteConfig.TransactionMode.DEFERRED, size = READERS) }

    // One attempt: a transaction that waited out the busy timeout is not retried behind it.
    private val config = DatabaseConfig { defaultMaxAttempts = 1 }

    /** Runs every write and the table creation. */
    val writer: Database = Database.connect(writerPool, databaseConfig = config)

    /** Runs every read. */
    val reader: Database = Database.connect(readerPool, databaseConfig = config)

    /**
     * What is wrong with the file, when it exists and is not a readable database (garbage, a
     * damaged header, lost pages: SQLite's `PRAGMA quick_check(1)`, linear in the file's size);
     * `null` when it is sound or absent. One connection of its own, outside the pools, so that
     * it fails at once instead of after a pool's connection timeout. Other failures (a file that
     * cannot be opened) are thrown.
     */
    fun damage(): Exception? {
        if (!Files.exists(path)) return null
        return try {
            DriverManager.getConnection(url).use { connection ->
                connection.createStatement().use { statement ->
                    statement.executeQuery("PRAGMA quick_check(1)").use { rows ->
                        val finding = if (rows.next()) rows.getString(1) else "ok"
                        if (finding == "ok") null else SQLException("PRAGMA quick_check: $finding")
                    }
                }
            }
        } catch (e: SQLException) {
            if (isSqliteCorruption(e)) e else throw e
        }
    }

    /**
     * Moves the file (and its `-wal` and `-shm`) aside to `<name>.corrupt-<UTC time>` and returns
     * that path; the next connection creates a new, empty database under the original name. Call
     * it only while no transaction runs: every pooled connection is closed first (so none writes
     * to, or deletes the journal of, a file under the new name), and the pools are recreated.
     */
    fun quarantine(nowMillis: Long): Path {
        writerPool.closeCurrent()
        readerPool.closeCurrent()
        val stamp = QUARANTINE_STAMP.format(Instant.ofEpochMilli(nowMillis))
        val aside = path.resolveSibling("${path.fileName}.corrupt-$stamp")
        for (suffix in listOf("", "-wal", "-shm")) {
            val file = Path.of("$path$suffix")
            if (Files.exists(file)) Files.move(file, Path.of("$aside$suffix"))
        }
        return aside
    }

    override fun close() {
        TransactionManager.closeAndUnregister(reader)
        TransactionManager.closeAndUnregister(writer)
        readerPool.close()
        writerPool.close()
    }

    override fun toString(): String = url.removePrefix("jdbc:sqlite:")

    private fun pool(role: String, path: Path, mode: SQLiteConfig.TransactionMode, size: Int): HikariDataSource {
        val sqlite = SQLiteConfig().apply {
            setJournalMode(SQLiteConfig.JournalMode.WAL)
            setSynchronous(SQLiteConfig.SynchronousMode.NORMAL)
            setBusyTimeout(BUSY_TIMEOUT_MILLIS)
            setTransactionMode(mode)
        }
        val source = SQLiteDataSource(sqlite).apply { url = this@SqliteDatabases.url }
        val config = HikariConfig().apply {
            dataSource = source
            poolName = "stackquery-sqlite-$role-${path.fileName}"
            maximumPoolSize = size
            minimumIdle = 1
            // Connect lazily (on the storage's I/O context), not in the constructor.
            initializationFailTimeout = -1
            // Connections are held for one transaction at a time; a long wait means the file
            // cannot be opened, which should be reported soon.
            connectionTimeout = CONNECTION_TIMEOUT_MILLIS
        }
        return HikariDataSource(config)
    }

    internal companion object {
        /** How long an SQLite connection waits for a lock another connection holds: 10 s. */
        const val BUSY_TIMEOUT_MILLIS: Int = 10_000

        /** How long an operation waits for a pooled connection (opening one included): 5 s. */
        const val CONNECTION_TIMEOUT_MILLIS: Long = 5_000

        /** How many connections read concurrently. */
        const val READERS: Int = 4

        private val QUARANTINE_STAMP: DateTimeFormatter =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC)
    }
}
