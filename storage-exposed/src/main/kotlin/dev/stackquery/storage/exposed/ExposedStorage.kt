@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.storage.exposed

import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.RateLimitedLog
import dev.stackquery.internal.common.saturatedAdd
import dev.stackquery.storage.BatchStorage
import dev.stackquery.storage.PrefixDeletableStorage
import dev.stackquery.storage.PurgeableStorage
import dev.stackquery.storage.StorageEntry
import dev.stackquery.storage.StorageException
import dev.stackquery.storage.StorageKeyRejectedException
import dev.stackquery.storage.StorageUnavailableException
import dev.stackquery.storage.exposed.internal.CacheSql
import dev.stackquery.storage.exposed.internal.CacheTable
import dev.stackquery.storage.exposed.internal.GroupCommitWriter
import dev.stackquery.storage.exposed.internal.KeyWrite
import dev.stackquery.storage.exposed.internal.SqlFlavor
import dev.stackquery.storage.exposed.internal.SqliteDatabases
import dev.stackquery.storage.exposed.internal.WriteOp
import dev.stackquery.storage.exposed.internal.checkSchema
import dev.stackquery.storage.exposed.internal.storageFailure
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext
import org.jetbrains.exposed.v1.jdbc.Database
import org.jetbrains.exposed.v1.jdbc.transactions.TransactionManager
import org.jetbrains.exposed.v1.jdbc.transactions.inTopLevelTransaction
import org.slf4j.LoggerFactory
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.atomic.AtomicBoolean
import javax.sql.DataSource
import kotlin.coroutines.CoroutineContext
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

/**
 * A persistent (L2) [dev.stackquery.storage.StorageBackend] in an SQL table, through JetBrains
 * Exposed: SQLite (the zero-configuration default, [sqlite]), H2, PostgreSQL, MariaDB and MySQL
 * 8.0.17+ (any of them through [create], from an Exposed [Database] or a JDBC [DataSource]).
 * Several storages, in one process or many, may share one table: each sees the others' writes.
 *
 * ```kotlin
 * val storage = ExposedStorage.sqlite(Path.of("cache.db"))
 * val client = QueryClient(QueryClientConfig(storage = storage))
 * ```
 * ```java
 * ExposedStorage storage = ExposedStorage.create(dataSource,
 *     ExposedStorageOptions.builder().tableName("query_cache").build());
 * ```
 *
 * **Table.** [ExposedStorageOptions.tableName] (default `stackquery_cache`), created with its
 * index when missing, at the first operation: `key` (primary key, at most [MAX_KEY_LENGTH]
 * characters, compared exactly and case-sensitively on every database: `COLLATE "C"` on
 * PostgreSQL, `utf8mb4_nopad_bin` on MariaDB), `value` (the text, of any size: `LONGTEXT` on
 * MariaDB/MySQL; UTF-8 `bytea` on PostgreSQL, whose `text` cannot hold U+0000), `expires_at` (epoch
 * milliseconds of [ExposedStorageOptions.clock], `NULL` for never; indexed) and `updated_at`.
 * Expired rows read as missing and stay until [purgeExpired] removes them. The schema's DDL per
 * database is in the module's README.
 *
 * **Writes** of one storage go through one writer coroutine that commits everything queued at
 * that moment in one transaction (group commit): each call still returns only once its write is
 * committed, so a caller reads its own writes, and [setAll] is always one transaction. Reads run
 * directly, concurrently with the writer.
 *
 * **Threads.** Thread-safe. No call blocks its caller's thread: JDBC runs on
 * [ExposedStorageOptions.coroutineContext] (default [Dispatchers.IO]), always in a transaction
 * of this storage's own [Database] (never joining a transaction of the caller's), and every
 * parameter is bound, never spliced into SQL. A cancelled caller stops waiting; a write it
 * queued is withdrawn if it has not started, and may still be committed otherwise.
 *
 * **Errors.** Thrown as [StorageUnavailableException] when the database cannot be reached (or
 * the storage is closed), as [StorageKeyRejectedException] for a key longer than [MAX_KEY_LENGTH]
 * (a client treats it as a miss for that key, not as an outage), and as [StorageException]
 * otherwise; with [ExposedStorageOptions.silent], logged instead, and the operation
 * returns a miss, nothing or 0.
 */
public class ExposedStorage private constructor(
    private val writeDb: Database,
    private val readDb: Database,
    private val owned: AutoCloseable?,
    private val options: ExposedStorageOptions,
    private val description: String,
) : BatchStorage, PrefixDeletableStorage, PurgeableStorage {
    private val table = CacheTable(options.tableName)
    private val clock = options.clock
    private val context: CoroutineContext = Dispatchers.IO + options.coroutineContext.minusKey(Job)
    private val scope = CoroutineScope(context + SupervisorJob() + CoroutineName("ExposedStorage writer"))
    private val closed = AtomicBoolean(false)

    @Volatile
    private var sql: CacheSql? = null
    private val schemaLock = Mutex()

    private val writer = GroupCommitWriter(scope) { ops ->
        val statements = ensureSchema()
        inTopLevelTransaction(writeDb) { statements.apply(ops) }
    }

    private val warnings = RateLimitedLog(WARNING_INTERVAL_MILLIS, clock)

    override suspend fun get(key: String): String? = guard("get", null) {
        checkKey(key)
        val now = clock.nowMillis()
        inReadTransaction { read(key, now) }
    }

    override suspend fun getAll(keys: Collection<String>): Map<String, String> = guard("getAll", emptyMap()) {
        keys.forEach(::checkKey)
        if (keys.isEmpty()) return@guard emptyMap()
        val now = clock.nowMillis()
        inReadTransaction { readAll(keys, now) }
    }

    override suspend fun set(key: String, value: String, ttl: Duration?) {
        guard("set", Unit) {
            checkKey(key)
            writer.submit(WriteOp.Put(listOf(keyWrite(key, value, ttl, clock.nowMillis()))))
        }
    }

    override suspend fun setAll(entries: List<StorageEntry>) {
        guard("setAll", Unit) {
            entries.forEach { checkKey(it.key) }
            if (entries.isEmpty()) return@guard
            val now = clock.nowMillis()
            writer.submit(WriteOp.Put(entries.map { keyWrite(it.key, it.value, it.ttl, now) }))
        }
    }

    override suspend fun delete(key: String) {
        guard("delete", Unit) {
            checkKey(key)
            writer.submit(WriteOp.Put(listOf(KeyWrite(key, null, null, clock.nowMillis()))))
        }
    }

    /**
     * Removes every entry whose key starts with [prefix], compared character by character (no
     * character is a wildcard: an exact key range on SQLite, PostgreSQL and MariaDB/MySQL, an
     * escaped `LIKE` on H2), expired ones included, and returns how many rows were removed.
     */
    override suspend fun deleteByPrefix(prefix: String): Long = guard("deleteByPrefix", 0L) {
        if (prefix.length > MAX_KEY_LENGTH) return@guard 0L // no key is that long
        writer.submit(WriteOp.DeletePrefix(prefix))
    }

    override suspend fun purgeExpired(): Int = guard("purgeExpired", 0) {
        writer.submit(WriteOp.Purge(clock.nowMillis())).toInt()
    }

    /**
     * Stops the storage: waits (up to 10 seconds) for the queued writes to be committed, then
     * closes what the storage owns: the SQLite file of [sqlite] and its connections, or the
     * Exposed registration of the [Database] [create] made over a [DataSource]; never a
     * [Database] or a [DataSource] passed to [create]. Later operations fail with
     * [StorageUnavailableException] (or return misses when silent). Idempotent; blocks the
     * calling thread while it waits.
     */
    override fun close() {
        if (!closed.compareAndSet(false, true)) return
        try {
            writer.close(CLOSE_TIMEOUT)
        } finally {
            scope.cancel()
            owned?.close()
        }
    }

    override fun toString(): String =
        "ExposedStorage(${sql?.flavor?.name?.lowercase() ?: "database"}, $description, table=${options.tableName})"

    private fun keyWrite(key: String, value: String, ttl: Duration?, now: Long): KeyWrite = when {
        ttl == null || ttl.isInfinite() -> KeyWrite(key, value, null, now)
        !ttl.isPositive() -> KeyWrite(key, null, null, now)
        else -> KeyWrite(key, value, saturatedAdd(now, ttl.inWholeMilliseconds), now)
    }

    /** Runs [block] in a read transaction on the storage's context, after creating the table if needed. */
    private suspend fun <T> inReadTransaction(block: CacheSql.() -> T): T {
        if (closed.get()) throw StorageUnavailableException("ExposedStorage is closed")
        return withContext(context) {
            val statements = ensureSchema()
            inTopLevelTransaction(readDb) { statements.block() }
        }
    }

    /**
     * The statements for this storage's database, creating the table and its index on first use.
     * An SQLite file of [sqlite] that is not a readable database (garbage, a damaged header, a
     * truncated file) is moved aside once, with a warning, and a new one created in its place.
     */
    private suspend fun ensureSchema(): CacheSql = sql ?: schemaLock.withLock {
        sql ?: withContext(context) {
            (owned as? SqliteDatabases)?.let { file ->
                file.damage()?.let { damage ->
                    val aside = file.quarantine(clock.nowMillis())
                    log.warn(
                        "{}: not a readable SQLite database; moved it aside to {}, starting an empty one",
                        this@ExposedStorage,
                        aside,
                        damage,
                    )
                }
            }
            inTopLevelTransaction(writeDb) {
                val flavor = SqlFlavor.of(db.dialect)
                checkSchema(table, flavor)
                for (statement in flavor.createStatements(this, table)) exec(statement)
                CacheSql(table, flavor)
            }
        }.also { sql = it }
    }

    @Suppress("TooGenericExceptionCaught") // every driver failure becomes a StorageException
    private suspend inline fun <T> guard(operation: String, silentResult: T, block: () -> T): T {
        try {
            return block()
        } catch (e: CancellationException) {
            throw e
        } catch (e: Exception) {
            val failure = storageFailure(operation, e)
            if (!options.silent) throw failure
            warn(failure)
            return silentResult
        }
    }

    /**
     * Logs a failure a silent storage swallowed: at WARN at most once a minute of the storage's
     * clock (saying how many were logged at DEBUG since the last one), at DEBUG otherwise.
     */
    private fun warn(failure: StorageException) {
        val suppressed = warnings.admit()
        if (suppressed != null) {
            log.warn(
                "{} (silent: returning a miss; further failures in the next minute are logged at DEBUG){}",
                this,
                RateLimitedLog.suppressedNote(suppressed),
                failure,
            )
        } else {
            log.debug("{}: silent failure", this, failure)
        }
    }

    private fun checkKey(key: String) {
        if (key.length > MAX_KEY_LENGTH) {
            throw StorageKeyRejectedException(
                "ExposedStorage keys are at most $MAX_KEY_LENGTH characters; this one has ${key.length}",
            )
        }
    }

    public companion object {
        /** The longest key accepted, in UTF-16 characters: 768 (InnoDB's 3072-byte index limit). */
        public const val MAX_KEY_LENGTH: Int = CacheTable.MAX_KEY_LENGTH

        private val log = LoggerFactory.getLogger(ExposedStorage::class.java)
        private val CLOSE_TIMEOUT = 10.seconds
        private const val WARNING_INTERVAL_MILLIS = 60_000L

        /**
         * A storage in [database], a [Database] the caller connected (through a pooled
         * `DataSource` for a server database) and keeps owning: [close] never closes it.
         * Nothing is opened here; the table is created, when missing, by the first operation.
         *
         * The dialect must be SQLite, H2, PostgreSQL, MariaDB or MySQL; another one fails every
         * operation with [StorageException]. For an SQLite file, prefer [sqlite], which sets the
         * file up for concurrent use.
         */
        @JvmStatic
        @JvmOverloads
        public fun create(
            database: Database,
            options: ExposedStorageOptions = ExposedStorageOptions.DEFAULT,
        ): ExposedStorage = ExposedStorage(database, database, null, options, "caller's Database")

        /**
         * A storage in the database [dataSource] connects to (pooled, e.g. a HikariCP
         * `HikariDataSource`): the way to create one from Java, where Exposed's
         * `Database.connect` is awkward to call. The storage connects its own Exposed [Database]
         * over it (registered with Exposed until [close]); the caller keeps owning [dataSource]:
         * [close] never closes it. Otherwise as [create] with a [Database].
         *
         * ```java
         * ExposedStorage storage = ExposedStorage.create(hikariDataSource,
         *     ExposedStorageOptions.builder().tableName("query_cache").build());
         * ```
         */
        @JvmStatic
        @JvmOverloads
        public fun create(
            dataSource: DataSource,
            options: ExposedStorageOptions = ExposedStorageOptions.DEFAULT,
        ): ExposedStorage {
            val database = Database.connect(dataSource)
            val registration = AutoCloseable { TransactionManager.closeAndUnregister(database) }
            return ExposedStorage(database, database, registration, options, "DataSource")
        }

        /**
         * A storage in the SQLite file at [path] (created, with its parent directories, when
         * missing), which the storage owns: [close] closes it. The zero-configuration default.
         *
         * The file is set up for concurrent use by this process and others: WAL journaling (readers
         * never wait for the writer), `synchronous=NORMAL`, a 10-second busy timeout, one writer
         * connection whose transactions take the write lock up front (`BEGIN IMMEDIATE`), so that
         * concurrent writers wait for each other instead of failing with `SQLITE_BUSY`, and up to
         * four reader connections. Connections open lazily, on the storage's context.
         *
         * Like every `Database.connect`, this registers two [Database] objects with Exposed until
         * [close]; an application that also uses Exposed should pass its own [Database] to its
         * transactions (or set `TransactionManager.defaultDatabase`), as Exposed otherwise uses
         * the most recently connected one.
         *
         * @throws IllegalArgumentException when [path] is a directory.
         * @throws java.io.IOException when the parent directory cannot be created.
         */
        @JvmStatic
        @JvmOverloads
        public fun sqlite(path: Path, options: ExposedStorageOptions = ExposedStorageOptions.DEFAULT): ExposedStorage {
            require(!Files.isDirectory(path)) { "path must be an SQLite file, was the directory $path" }
            path.toAbsolutePath().parent?.let { Files.createDirectories(it) }
            val databases = SqliteDatabases(path)
            return ExposedStorage(databases.writer, databases.reader, databases, options, "file $databases")
        }
    }
}
