package dev.stackquery.storage.exposed

import dev.stackquery.storage.StorageEntry
import dev.stackquery.testing.ManualClock
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlin.time.TimeSource

/**
 * Two storages with separate [org.jetbrains.exposed.v1.jdbc.Database] objects (and pools) on one
 * database, standing for two processes sharing an L2 table.
 */
class SharedStorageSpec : FunSpec({
    val shared = listOf(TestDatabase.Sqlite, TestDatabase.Postgres, TestDatabase.MariaDb, TestDatabase.H2)

    for (database in shared) {
        dialectTest(database, "two storages on one table see each other's writes, deletes and prefix deletes") {
            val namespace = database.namespace()
            try {
                val clock = ManualClock()
                val first = namespace.open(clock)
                val second = namespace.openSeparately(clock)
                try {
                    first.set("user:1", "ada", null)
                    second.get("user:1") shouldBe "ada"
                    second.set("user:1", "grace", null)
                    first.get("user:1") shouldBe "grace"
                    second.setAll(listOf(StorageEntry("user:2", "alan", null), StorageEntry("post:1", "hello", null)))
                    first.getAll(listOf("user:1", "user:2", "post:1")) shouldBe
                        mapOf("user:1" to "grace", "user:2" to "alan", "post:1" to "hello")
                    first.delete("post:1")
                    second.get("post:1") shouldBe null
                    second.deleteByPrefix("user:") shouldBe 2L
                    first.getAll(listOf("user:1", "user:2")) shouldBe emptyMap()
                } finally {
                    first.close()
                    second.close()
                }
            } finally {
                namespace.dispose()
            }
        }

        dialectTest(
            database,
            "concurrent writers through two storages lose nothing, from a table neither has created",
        ) {
            val namespace = database.namespace()
            try {
                val clock = ManualClock()
                val storages = listOf(namespace.open(clock), namespace.openSeparately(clock))
                try {
                    val writersPerStorage = 4
                    val setsPerWriter = 150
                    val batchesPerWriter = 5
                    val batchSize = 20
                    val started = TimeSource.Monotonic.markNow()
                    coroutineScope {
                        storages.forEachIndexed { s, storage ->
                            repeat(writersPerStorage) { w ->
                                launch(Dispatchers.Default) {
                                    repeat(setsPerWriter) { i ->
                                        storage.set("s$s-w$w-$i", "$s/$w/$i", null)
                                        storage.set("contended", "s$s-w$w", null) // the same row from everyone
                                        if (i % (setsPerWriter / batchesPerWriter) == 0) {
                                            val batch = i / (setsPerWriter / batchesPerWriter)
                                            storage.setAll(
                                                (0 until batchSize).map {
                                                    StorageEntry("s$s-w$w-b$batch-$it", "batch", null)
                                                },
                                            )
                                        }
                                    }
                                }
                            }
                        }
                    }
                    val elapsed = started.elapsedNow()
                    val writes = storages.size * writersPerStorage * (2 * setsPerWriter + batchesPerWriter * batchSize)
                    println("$database: $writes writes through 2 storages × $writersPerStorage coroutines in $elapsed")

                    val keys = storages.indices.flatMap { s ->
                        (0 until writersPerStorage).flatMap { w ->
                            (0 until setsPerWriter).map { "s$s-w$w-$it" } +
                                (0 until batchesPerWriter).flatMap { b ->
                                    (0 until batchSize).map { "s$s-w$w-b$b-$it" }
                                }
                        }
                    }
                    val expectedRows = keys.size + 1L
                    namespace.queryLong("SELECT COUNT(*) FROM ${namespace.tableName}") shouldBe expectedRows
                    for (storage in storages) {
                        val read = storage.getAll(keys)
                        read.size shouldBe keys.size
                        read["s1-w3-149"] shouldBe "1/3/149"
                        read["s0-w0-b4-19"] shouldBe "batch"
                    }
                    storages[0].get("contended") shouldBe storages[1].get("contended")
                } finally {
                    storages.forEach { it.close() }
                }
            } finally {
                namespace.dispose()
            }
        }
    }
})
