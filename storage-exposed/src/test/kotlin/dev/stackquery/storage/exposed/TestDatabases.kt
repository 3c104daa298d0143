package dev.stackquery.storage.exposed

import com.zaxxer.hikari.HikariConfig
import com.zaxxer.hikari.HikariDataSource
import dev.stackquery.QueryClock
import io.kotest.core.spec.style.FunSpec
import io.kotest.core.test.Enabled
import io.kotest.core.test.TestScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.jetbrains.exposed.v1.jdbc.Database
import org.jetbrains.exposed.v1.jdbc.transactions.TransactionManager
import org.jetbrains.exposed.v1.jdbc.transactions.inTopLevelTransaction
import java.nio.file.Files
import java.nio.file.Path
import java.util.UUID
import java.util.concurrent.atomic.AtomicInteger

/** A test named "<database>: [name]", skipped with the reason when [database] cannot be reached. */
fun FunSpec.dialectTest(database: TestDatabase, name: String, block: suspend TestScope.() -> Unit) {
    test("$database: $name").config(enabledOrReasonIf = { database.enabled() }, test = block)
}

/**
 * A place an [ExposedStorage] can live, for tests run on every dialect: [open] makes a storage in
 * a fresh namespace (a new SQLite file or H2 database, a table of its own on a server); [sql]
 * queries the same database directly; [dispose] removes everything it made.
 */
abstract class TestDatabase(val name: String) {
    /** Whether tests can run here (a server may be down); see [TestServices]. */
    open fun enabled(): Enabled = Enabled.enabled

    /** A storage in a fresh namespace; the same [Namespace] again gives another storage sharing it. */
    abstract suspend fun namespace(): Namespace

    interface Namespace {
        val tableName: String

        /** A new storage on this namespace with [clock] and otherwise default options (plus [silent]). */
        fun open(clock: QueryClock, silent: Boolean = false): ExposedStorage

        /** A second storage on this namespace through a separate [Database] object (another "process"). */
        fun openSeparately(clock: QueryClock): ExposedStorage

        /** Runs [statement] (a query returning one number) directly on this database. */
        suspend fun queryLong(statement: String): Long

        /** Runs [statement] (DDL or DML) directly on this database. */
        suspend fun execute(statement: String)

        /** Removes what this namespace created (table, file, in-memory database). */
        suspend fun dispose()
    }

    override fun toString(): String = name

    companion object {
        private val counter = AtomicInteger()

        fun uniqueTableName(): String =
            "sq_t${UUID.randomUUID().toString().replace("-", "").take(12)}_${counter.incrementAndGet()}"

        fun options(
            clock: QueryClock,
            table: String = ExposedStorageOptions.DEFAULT_TABLE_NAME,
            silent: Boolean = false,
        ) = ExposedStorageOptions(tableName = table, clock = clock, silent = silent)

        suspend fun <T> Database.query(statement: String, read: (java.sql.ResultSet) -> T): T =
            withContext(Dispatchers.IO) {
                inTopLevelTransaction(this@query) { exec(statement) { rs -> rs.next(); read(rs) }!! }
            }

        suspend fun Database.update(statement: String) {
            withContext(Dispatchers.IO) { inTopLevelTransaction(this@update) { exec(statement) } }
        }

        val all: List<TestDatabase> by lazy { listOf(Sqlite, H2, Postgres, MariaDb) }
    }

    /** A temporary SQLite file per namespace, opened with [ExposedStorage.sqlite]. */
    object Sqlite : TestDatabase("SQLite") {
        override suspend fun namespace(): Namespace = object : Namespace {
            val dir: Path = Files.createTempDirectory("stackquery-exposed-")
            val file: Path = dir.resolve("cache.db")
            override val tableName = ExposedStorageOptions.DEFAULT_TABLE_NAME
            private val direct by lazy { Database.connect("jdbc:sqlite:$file") }

            override fun open(clock: QueryClock, silent: Boolean) =
                ExposedStorage.sqlite(file, options(clock, silent = silent))

            override fun openSeparately(clock: QueryClock) = open(clock)

            override suspend fun queryLong(statement: String): Long = direct.query(statement) { it.getLong(1) }

            override suspend fun execute(statement: String) = direct.update(statement)

            override suspend fun dispose() {
                TransactionManager.closeAndUnregister(direct)
                dir.toFile().deleteRecursively()
            }
        }
    }

    /** An in-memory H2 database per namespace. */
    object H2 : TestDatabase("H2") {
        override suspend fun namespace(): Namespace = object : Namespace {
            val url = "jdbc:h2:mem:stackquery_${counter.incrementAndGet()};DB_CLOSE_DELAY=-1"
            val database = Database.connect(url, driver = "org.h2.Driver")
            override val tableName = ExposedStorageOptions.DEFAULT_TABLE_NAME

            override fun open(clock: QueryClock, silent: Boolean) =
                ExposedStorage.create(database, options(clock, silent = silent))

            override fun openSeparately(clock: QueryClock) =
                ExposedStorage.create(Database.connect(url, driver = "org.h2.Driver"), options(clock))

            override suspend fun queryLong(statement: String): Long = database.query(statement) { it.getLong(1) }

            override suspend fun execute(statement: String) = database.update(statement)

            override suspend fun dispose() {
                // SHUTDOWN drops the in-memory database; the commit after it then fails: expected.
                runCatching { database.update("SHUTDOWN") }
                TransactionManager.closeAndUnregister(database)
            }
        }
    }

    /** A server database shared by the tests, each with a table of its own, through a pool. */
    abstract class Server(
        name: String,
        val service: TestServices.Service,
        private val url: String,
        val user: String,
    ) :
        TestDatabase(name) {
        override fun enabled(): Enabled = service.enabled()

        /** This server's JDBC URL with the port replaced by [port] (a [dev.stackquery.testing.TcpProxy]'s). */
        fun urlThrough(port: Int): String = url.replace(":${service.port}/", ":$port/")

        private fun pool(): HikariDataSource = HikariDataSource(
            HikariConfig().also {
                it.jdbcUrl = url
                it.username = user
                it.maximumPoolSize = 8
                it.minimumIdle = 0
                it.poolName = "test-$name"
            },
        )

        /** One pool and [Database] per server per JVM, like an application's. */
        private val shared: Database by lazy {
            service.check()
            Database.connect(pool())
        }

        override suspend fun namespace(): Namespace = object : Namespace {
            override val tableName = uniqueTableName()
            private val separate = ArrayList<Pair<Database, HikariDataSource>>()

            override fun open(clock: QueryClock, silent: Boolean) =
                ExposedStorage.create(shared, options(clock, tableName, silent))

            override fun openSeparately(clock: QueryClock): ExposedStorage {
                val pool = pool()
                val database = Database.connect(pool)
                synchronized(separate) { separate += database to pool }
                return ExposedStorage.create(database, options(clock, tableName))
            }

            override suspend fun queryLong(statement: String): Long = shared.query(statement) { it.getLong(1) }

            override suspend fun execute(statement: String) = shared.update(statement)

            override suspend fun dispose() {
                shared.update("DROP TABLE IF EXISTS $tableName")
                synchronized(separate) {
                    for ((database, pool) in separate) {
                        TransactionManager.closeAndUnregister(database)
                        pool.close()
                    }
                    separate.clear()
                }
            }
        }
    }

    object Postgres : Server("PostgreSQL", TestServices.postgres, "jdbc:postgresql://127.0.0.1:5432/test", "postgres")

    object MariaDb : Server(
        "MariaDB",
        TestServices.mariadb,
        "jdbc:mariadb://127.0.0.1:3306/test?sslMode=disable",
        "root",
    )
}
