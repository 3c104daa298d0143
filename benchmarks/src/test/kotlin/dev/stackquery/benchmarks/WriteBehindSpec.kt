package dev.stackquery.benchmarks

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.nio.file.Files
import java.sql.DriverManager

/** Benchmark 7's harness, with few rows: every contender writes exactly the workload's rows, and a missing row is caught. */
class WriteBehindSpec : FunSpec({
    fun expected(rows: Int) =
        (0 until rows).associate { WriteBehindWorkload.storageKey(it) to WriteBehindWorkload.envelope(it) }

    test("a row is the client's persisted envelope of an item, about 500 bytes") {
        WriteBehindWorkload.storageKey(42) shouldBe "stackquery:[\"item\",42]"
        val envelope = WriteBehindWorkload.envelope(42)
        envelope.startsWith(
            "{\"v\":1,\"data\":{\"id\":42,\"title\":\"Item 42\",\"tags\":[\"tag2\",\"group42\"],\"body\":\"Lorem ipsum",
        ) shouldBe
            true
        envelope.endsWith(" #42\"},\"dataUpdatedAt\":1700000000000,\"invalidated\":false}") shouldBe true
        envelope.length shouldBe 529
    }

    test("through the client: setQueryData then flush writes exactly the workload's rows, and nothing before run") {
        ClientWriteBehind(2_000).use { run ->
            WriteBehindWorkload.rowCount(run.file, WriteBehindWorkload.CLIENT_TABLE) shouldBe 0
            run.run()
            run.verify()
            WriteBehindWorkload.rows(run.file, WriteBehindWorkload.CLIENT_TABLE) shouldBe expected(2_000)
        }
    }

    test("the seed's recipe writes the same rows into its own table") {
        SeedSqliteWriter(20).use { run ->
            run.run()
            run.verify()
            WriteBehindWorkload.rows(run.file, SeedSqliteWriter.TABLE) shouldBe expected(20)
        }
    }

    test("the storage written directly holds the same rows") {
        DirectStorageWriter(200).use { run ->
            run.run()
            run.verify()
            WriteBehindWorkload.rows(run.file, WriteBehindWorkload.CLIENT_TABLE) shouldBe expected(200)
        }
    }

    test("verify fails when a row is missing from the file") {
        ClientWriteBehind(100).use { run ->
            run.run()
            DriverManager.getConnection("jdbc:sqlite:${run.file}").use { connection ->
                connection.createStatement().use {
                    it.executeUpdate("DELETE FROM stackquery_cache WHERE \"key\" = 'stackquery:[\"item\",7]'")
                }
            }
            shouldThrow<IllegalStateException> { run.verify() }.message shouldBe "99 rows in ${run.file}, expected 100"
        }
        SeedSqliteWriter(3).use { run ->
            shouldThrow<IllegalStateException> { run.verify() }.message shouldBe "0 rows in ${run.file}, expected 3"
        }
    }

    test("close deletes the files") {
        val run = ClientWriteBehind(10)
        run.run()
        run.close()
        Files.exists(run.file.parent) shouldBe false
    }
})
