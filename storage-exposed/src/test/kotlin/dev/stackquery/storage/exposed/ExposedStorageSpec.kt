package dev.stackquery.storage.exposed

import com.zaxxer.hikari.HikariConfig
import com.zaxxer.hikari.HikariDataSource
import dev.stackquery.storage.StorageEntry
import dev.stackquery.storage.StorageException
import dev.stackquery.storage.StorageKeyRejectedException
import dev.stackquery.testing.ManualClock
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.maps.shouldContainExactly
import io.kotest.matchers.shouldBe
import kotlin.time.Duration.Companion.days
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** ExposedStorage's own behaviour, beyond the storage contract, on every dialect. */
class ExposedStorageSpec : FunSpec({
    suspend fun withNamespace(database: TestDatabase, block: suspend (TestDatabase.Namespace) -> Unit) {
        val namespace = database.namespace()
        try {
            block(namespace)
        } finally {
            namespace.dispose()
        }
    }

    test("create(DataSource) stores through the caller's pool and leaves it open when closed") {
        val pool =
            HikariDataSource(
                HikariConfig().apply {
                    jdbcUrl = "jdbc:h2:mem:datasource_spec;DB_CLOSE_DELAY=-1"; maximumPoolSize =
                        2
                },
            )
        try {
            ExposedStorage.create(pool, ExposedStorageOptions(clock = ManualClock())).use { storage ->
                storage.set("k", "v", null)
                storage.get("k") shouldBe "v"
            }
            pool.isClosed shouldBe false
            pool.connection.use { connection ->
                connection.createStatement().executeQuery("SELECT \"value\" FROM STACKQUERY_CACHE").use { rs ->
                    rs.next() shouldBe true
                    rs.getString(1) shouldBe "v"
                }
                connection.createStatement().execute("DROP ALL OBJECTS")
            }
        } finally {
            pool.close()
        }
    }

    for (database in TestDatabase.all) {
        dialectTest(database, "SQL in keys, values and prefixes is stored verbatim and harms nothing") {
            withNamespace(database) { namespace ->
                val table = namespace.tableName
                val attacks = listOf(
                    "'; DROP TABLE $table; --",
                    "\"; DROP TABLE $table; --",
                    "`; DROP TABLE $table; --",
                    "' OR '1'='1",
                    "') OR ('1'='1",
                    "x' UNION SELECT value, value FROM $table --",
                    "\\'; DELETE FROM $table; --",
                    "%",
                    "_",
                    "\\",
                    "%' OR key LIKE '%",
                )
                namespace.open(ManualClock()).use { storage ->
                    (0 until 10).forEach { storage.set("plain-$it", "value-$it", null) }
                    attacks.forEachIndexed { i, attack -> storage.set(attack, attack, null) }
                    storage.setAll(attacks.map { StorageEntry("batch:$it", "$it; DELETE FROM $table", null) })
                    val total = 10L + 2 * attacks.size

                    namespace.queryLong("SELECT COUNT(*) FROM $table") shouldBe total
                    attacks.forEach { storage.get(it) shouldBe it }
                    storage.getAll(attacks) shouldContainExactly attacks.associateWith { it }

                    // Prefixes made of SQL and wildcards match only keys that literally start with them.
                    storage.deleteByPrefix("' OR '1'='1' --") shouldBe 0L
                    storage.deleteByPrefix("%' OR '1'='1") shouldBe 0L
                    storage.deleteByPrefix("_lain") shouldBe 0L
                    storage.deleteByPrefix("%") shouldBe 2L // "%" and "%' OR key LIKE '%"
                    storage.deleteByPrefix("\\") shouldBe 2L // "\\" and "\\'; DELETE ..."
                    namespace.queryLong("SELECT COUNT(*) FROM $table") shouldBe total - 4
                    storage.get("plain-0") shouldBe "value-0"
                    storage.get("_") shouldBe "_"
                    storage.get("batch:' OR '1'='1") shouldBe "' OR '1'='1; DELETE FROM $table"
                }
            }
        }

        dialectTest(database, "expiry follows the storage's clock, never the database's") {
            withNamespace(database) { namespace ->
                val table = namespace.tableName
                // 1970: every row would be long expired by the database's NOW()
                val clock = ManualClock(startMillis = 1_000)
                namespace.open(clock).use { storage ->
                    storage.set("ttl", "t", 10.seconds)
                    storage.set("forever", "f", null)
                    storage.setAll(listOf(StorageEntry("batch-ttl", "b", 1.days)))
                    namespace.queryLong(
                        "SELECT expires_at FROM $table WHERE updated_at = 1000 AND expires_at < 20000",
                    ) shouldBe
                        11_000L
                    namespace.queryLong("SELECT COUNT(*) FROM $table WHERE expires_at IS NULL") shouldBe 1L
                    storage.get("ttl") shouldBe "t"

                    clock.advanceBy(10.seconds - 1.milliseconds)
                    storage.get("ttl") shouldBe "t"
                    clock.advanceBy(1.milliseconds)
                    storage.get("ttl") shouldBe null
                    storage.getAll(listOf("ttl", "forever", "batch-ttl")) shouldContainExactly
                        mapOf("forever" to "f", "batch-ttl" to "b")
                    namespace.queryLong("SELECT COUNT(*) FROM $table") shouldBe 3L // expired, not yet purged

                    clock.advanceBy(1.days)
                    storage.purgeExpired() shouldBe 2
                    namespace.queryLong("SELECT COUNT(*) FROM $table") shouldBe 1L
                    storage.get("forever") shouldBe "f"
                }
            }
        }

        dialectTest(database, "keys up to 768 characters are stored; longer ones are rejected, key by key") {
            withNamespace(database) { namespace ->
                namespace.open(ManualClock()).use { storage ->
                    val longest = "k".repeat(766) + "🔑" // 768 UTF-16 characters
                    val longestUnicode = "é".repeat(768)
                    storage.set(longest, "ok", null)
                    storage.set(longestUnicode, "ok2", null)
                    storage.get(longest) shouldBe "ok"
                    storage.get(longestUnicode) shouldBe "ok2"
                    val tooLong = "k".repeat(769)
                    val message = "ExposedStorage keys are at most 768 characters; this one has 769"
                    shouldThrow<StorageKeyRejectedException> { storage.set(tooLong, "x", null) }.message shouldBe
                        message
                    shouldThrow<StorageKeyRejectedException> { storage.get(tooLong) }.message shouldBe message
                    shouldThrow<StorageKeyRejectedException> {
                        storage.setAll(listOf(StorageEntry(tooLong, "x", null)))
                    }.message shouldBe
                        message
                    storage.deleteByPrefix(tooLong) shouldBe 0L
                }
                namespace.open(ManualClock(), silent = true).use { silent ->
                    silent.get("k".repeat(769)) shouldBe null
                    silent.set("k".repeat(769), "x", null)
                }
            }
        }

        dialectTest(database, "the table is created at the first operation, under the configured name") {
            withNamespace(database) { namespace ->
                val table = namespace.tableName
                namespace.open(ManualClock()).use { storage ->
                    shouldThrow<Exception> { namespace.queryLong("SELECT COUNT(*) FROM $table") }
                    storage.get("anything") shouldBe null
                    namespace.queryLong("SELECT COUNT(*) FROM $table") shouldBe 0L
                }
                // Reopening finds the table and its rows.
                namespace.open(ManualClock()).use { it.set("k", "v", null) }
                namespace.open(ManualClock()).use { it.get("k") shouldBe "v" }
            }
        }

        dialectTest(database, "getAll returns each requested key once, in request order") {
            withNamespace(database) { namespace ->
                namespace.open(ManualClock()).use { storage ->
                    val keys = (0 until 1_200).map { "key-%04d".format(it) }
                    storage.setAll(keys.map { StorageEntry(it, "v$it", null) })
                    val requested = keys.reversed() + keys.take(3) + "missing"
                    val read = storage.getAll(requested)
                    read.keys.toList() shouldBe keys.reversed()
                    read["key-0000"] shouldBe "vkey-0000"
                }
            }
        }
    }
})
