package dev.stackquery.storage.exposed

import dev.stackquery.storage.StorageEntry
import dev.stackquery.storage.StorageUnavailableException
import dev.stackquery.testing.ManualClock
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldStartWith
import org.jetbrains.exposed.v1.jdbc.Database
import org.jetbrains.exposed.v1.jdbc.transactions.TransactionManager
import java.net.ServerSocket
import java.nio.file.Files
import kotlin.time.Duration.Companion.seconds

class UnreachableDatabaseSpec : FunSpec({
    /** A PostgreSQL URL on a local port nothing listens on. */
    fun closedPortDatabase(): Database {
        val port = ServerSocket(0).use { it.localPort }
        return Database.connect(
            "jdbc:postgresql://127.0.0.1:$port/test",
            driver = "org.postgresql.Driver",
            user = "postgres",
        )
    }

    test("by default, every operation on an unreachable database throws StorageUnavailableException") {
        val database = closedPortDatabase()
        try {
            ExposedStorage.create(database, ExposedStorageOptions(clock = ManualClock())).use { storage ->
                shouldThrow<StorageUnavailableException> { storage.get("k") }.message shouldStartWith
                    "ExposedStorage.get failed: "
                shouldThrow<StorageUnavailableException> { storage.getAll(listOf("k")) }
                shouldThrow<StorageUnavailableException> { storage.set("k", "v", 1.seconds) }
                    .message shouldStartWith "ExposedStorage.set failed: "
                shouldThrow<StorageUnavailableException> { storage.setAll(listOf(StorageEntry("k", "v", null))) }
                shouldThrow<StorageUnavailableException> { storage.delete("k") }
                shouldThrow<StorageUnavailableException> { storage.deleteByPrefix("k") }
                shouldThrow<StorageUnavailableException> { storage.purgeExpired() }
            }
        } finally {
            TransactionManager.closeAndUnregister(database)
        }
    }

    test("a silent storage returns misses and drops writes when the database is unreachable") {
        val database = closedPortDatabase()
        try {
            ExposedStorage.create(
                database,
                ExposedStorageOptions(clock = ManualClock(), silent = true),
            ).use { storage ->
                storage.get("k") shouldBe null
                storage.getAll(listOf("k", "l")) shouldBe emptyMap()
                storage.set("k", "v", null)
                storage.setAll(listOf(StorageEntry("k", "v", null)))
                storage.delete("k")
                storage.deleteByPrefix("k") shouldBe 0L
                storage.purgeExpired() shouldBe 0
            }
        } finally {
            TransactionManager.closeAndUnregister(database)
        }
    }

    test("a closed storage throws StorageUnavailableException, or returns misses when silent") {
        val dir = Files.createTempDirectory("stackquery-exposed-")
        try {
            val storage = ExposedStorage.sqlite(dir.resolve("cache.db"), ExposedStorageOptions(clock = ManualClock()))
            storage.set("k", "v", null)
            storage.close()
            storage.close() // idempotent
            shouldThrow<StorageUnavailableException> { storage.get("k") }.message shouldBe "ExposedStorage is closed"
            shouldThrow<StorageUnavailableException> { storage.set("k", "v", null) }.message shouldBe
                "ExposedStorage is closed"

            val silent = ExposedStorage.sqlite(
                dir.resolve("cache.db"),
                ExposedStorageOptions(clock = ManualClock(), silent = true),
            )
            silent.get("k") shouldBe "v"
            silent.close()
            silent.get("k") shouldBe null
            silent.set("k", "w", null)
        } finally {
            dir.toFile().deleteRecursively()
        }
    }

    test("sqlite() rejects a directory as its file") {
        val dir = Files.createTempDirectory("stackquery-exposed-")
        try {
            shouldThrow<IllegalArgumentException> { ExposedStorage.sqlite(dir) }.message shouldBe
                "path must be an SQLite file, was the directory $dir"
        } finally {
            dir.toFile().deleteRecursively()
        }
    }
})
