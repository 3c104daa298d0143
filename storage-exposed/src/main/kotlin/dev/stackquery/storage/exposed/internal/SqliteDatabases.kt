package dev.stackquery.storage.exposed.internal

import com.zaxxer.hikari.HikariConfig
import com.zaxxer.hikari.HikariDataSource
import org.jetbrains.exposed.v1.core.DatabaseConfig
import org.jetbrains.exposed.v1.jdbc.Database
import org.jetbrains.exposed.v1.jdbc.transactions.TransactionManager
import org.sqlite.SQLiteConfig
import org.sqlite.SQLiteDataSource
import java.nio.file.Path

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
internal class SqliteDatabases(path: Path) : AutoCloseable {
    private val url = "jdbc:sqlite:${path.toAbsolutePath()}"
    private val writerPool = pool("writer", path, SQLiteConfig.TransactionMode.IMMEDIATE, size = 1)
    private val readerPool = pool("reader", path, SQLiteConfig.TransactionMode.DEFERRED, size = READERS)

    // One attempt: a transaction that waited out the busy timeout is not retried behind it.
    private val config = DatabaseConfig { defaultMaxAttempts = 1 }

    /** Runs every write and the table creation. */
    val writer: Database = Database.connect(writerPool, databaseConfig = config)

    /** Runs every read. */
    val reader: Database = Database.connect(readerPool, databaseConfig = config)

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
    }
}
