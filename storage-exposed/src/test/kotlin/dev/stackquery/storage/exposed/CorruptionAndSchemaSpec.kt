package dev.stackquery.storage.exposed

import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import dev.stackquery.storage.StorageEntry
import dev.stackquery.storage.StorageException
import dev.stackquery.testing.ManualClock
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.io.RandomAccessFile
import java.nio.file.Files
import java.nio.file.Path
import kotlin.random.Random
import kotlin.time.Duration.Companion.hours

/**
 * Issue 23, defects 7 and 8, on real files and servers: an SQLite file that is not a readable
 * database was treated as an outage forever (every start paid the timeouts, L2 silently off); a
 * table of the storage's name with another schema accepted writes that no read could decode.
 */
class CorruptionAndSchemaSpec : FunSpec({
    val damages: List<Pair<String, (Path) -> Unit>> = listOf(
        "garbage instead of a database" to { file -> Files.write(file, Random(1).nextBytes(8192)) },
        "its header overwritten" to { file ->
            writeEntries(file)
            RandomAccessFile(file.toFile(), "rw").use { it.write(ByteArray(100)) }
        },
        "truncated to half" to { file ->
            writeEntries(file)
            RandomAccessFile(file.toFile(), "rw").use { it.setLength(it.length() / 2) }
        },
    )
    for ((damage, make) in damages) {
        test("an SQLite file with $damage is moved aside at start, and the client works on a new one") {
            val dir = Files.createTempDirectory("stackquery-corrupt-")
            try {
                val file = dir.resolve("cache.db")
                make(file)
                val storage = ExposedStorage.sqlite(file)
                QueryClient(QueryClientConfig(staleTime = 1.hours, storage = storage)).use { client ->
                    val key = queryKey("user", 1)
                    client.fetchQuery(queryOptions(key, queryFn = { "fetched" })) shouldBe "fetched"
                    client.flush()
                    client.storageStats()!!.errors shouldBe 0
                    storage.get("stackquery:$key")!! shouldContain "\"fetched\""
                }
                storage.close()
                val aside = dir.toFile().list()!!.filter { it.startsWith("cache.db.corrupt-") }
                aside.filterNot { it.endsWith("-wal") || it.endsWith("-shm") } shouldHaveSize 1
                ExposedStorage.sqlite(file).use { reopened ->
                    reopened.get("stackquery:" + queryKey("user", 1))!! shouldContain
                        "fetched"
                }
            } finally {
                dir.toFile().deleteRecursively()
            }
        }
    }

    for (database in TestDatabase.all) {
        dialectTest(
            database,
            "a table of the storage's name with another schema is refused with a clear error, and left untouched",
        ) {
            val namespace = database.namespace()
            try {
                val table = namespace.tableName
                namespace.execute(
                    "CREATE TABLE $table (${quoted(database, "key")} VARCHAR(100) PRIMARY KEY, payload VARCHAR(100))",
                )
                namespace.execute("INSERT INTO $table VALUES ('mine', 'user data')")
                namespace.open(ManualClock()).use { storage ->
                    val error = shouldThrow<StorageException> { storage.set("k", "v", null) }
                    error.message!! shouldContain "cannot use the table $table"
                    error.message!! shouldContain "no column value"
                    shouldThrow<StorageException> { storage.get("k") }.message shouldBe error.message
                }
                namespace.queryLong("SELECT COUNT(*) FROM $table") shouldBe 1L
            } finally {
                namespace.dispose()
            }
        }
    }

    dialectTest(
        TestDatabase.Postgres,
        "a value column of type TEXT instead of BYTEA is refused before anything is written",
    ) {
        val namespace = TestDatabase.Postgres.namespace()
        try {
            val table = namespace.tableName
            namespace.execute(
                "CREATE TABLE $table (\"key\" VARCHAR(768) PRIMARY KEY, \"value\" TEXT NOT NULL, " +
                    "expires_at BIGINT NULL, updated_at BIGINT NOT NULL)",
            )
            namespace.open(ManualClock()).use { storage ->
                shouldThrow<StorageException> { storage.set("k", "v", null) }.message!! shouldContain
                    "its column value is text, not bytea"
            }
            namespace.queryLong("SELECT COUNT(*) FROM $table") shouldBe 0L
        } finally {
            namespace.dispose()
        }
    }
})

/** Writes 2,000 entries of 1 KiB (many pages) to a new SQLite file through the storage. */
private fun writeEntries(file: Path) = kotlinx.coroutines.runBlocking {
    ExposedStorage.sqlite(file).use { storage ->
        storage.setAll(List(2_000) { StorageEntry("k$it", "x".repeat(1_024), null) })
    }
}

/** `key` is a reserved word in MariaDB and H2: quoted as each dialect quotes identifiers. */
private fun quoted(database: TestDatabase, column: String): String = when (database) {
    TestDatabase.MariaDb -> "`$column`"
    else -> "\"$column\""
}
