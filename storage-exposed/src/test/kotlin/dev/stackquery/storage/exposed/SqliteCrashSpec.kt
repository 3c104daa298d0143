package dev.stackquery.storage.exposed

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import java.io.File
import java.nio.file.Files
import java.nio.file.Path
import java.sql.DriverManager
import java.util.concurrent.TimeUnit

/**
 * Issue 23, crash and corruption on real files and processes: a child JVM writes through a client
 * on `ExposedStorage.sqlite` and is killed with `kill -9` (`destroyForcibly`, SIGKILL on Linux),
 * after `flush()` or in the middle of write-behind; this JVM then opens the file.
 */
class SqliteCrashSpec : FunSpec({
    test("after flush() and kill -9, all 10,000 entries written through a client are read back") {
        withDir { dir ->
            val file = dir.resolve("cache.db")
            killAfter(dir, file, 10_000, "flush") { it == "flushed 10000" }
            val survivors = survivors(file, 10_000)
            survivors.size shouldBe 10_000
            integrityCheck(file) shouldBe "ok"
        }
    }

    test("kill -9 during write-behind leaves a sound file holding a prefix of what was written, every value intact") {
        withDir { dir ->
            val file = dir.resolve("cache.db")
            killAfter(dir, file, 1_000_000, "noflush") { it == "writing" }
            integrityCheck(file) shouldBe "ok"
            val survivors = survivors(file, 1_000_000)
            println("SqliteCrashSpec: ${survivors.size} entries survived a kill -9 during write-behind")
            survivors.size shouldBeGreaterThan 499
            survivors shouldBe (0 until survivors.size).toList() // in order: no later write without the earlier ones
        }
    }
})

private inline fun withDir(block: (Path) -> Unit) {
    val dir = Files.createTempDirectory("stackquery-crash-")
    try {
        block(dir)
    } finally {
        dir.toFile().deleteRecursively()
    }
}

/** Starts [CrashWriter], waits (at most 2 minutes) for a stdout line accepted by [ready], then kills it with SIGKILL. */
private fun killAfter(dir: Path, file: Path, count: Int, mode: String, ready: (String) -> Boolean) {
    val java = Path.of(System.getProperty("java.home"), "bin", "java").toString()
    val stderr = dir.resolve("child.err").toFile()
    val process = ProcessBuilder(
        java,
        "-cp",
        System.getProperty("java.class.path"),
        CrashWriter::class.java.name,
        file.toString(),
        "$count",
        mode,
    ).redirectError(stderr).start()
    try {
        val lines = process.inputStream.bufferedReader()
        val deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2)
        while (true) {
            val line =
                lines.readLine()
                    ?: error("the child exited (${process.waitFor()}) before it was ready: ${stderr.readText()}")
            if (ready(line)) break
            check(System.nanoTime() < deadline) { "the child was not ready within 2 minutes" }
        }
    } finally {
        process.destroyForcibly()
        check(process.waitFor(30, TimeUnit.SECONDS)) { "the killed child did not end" }
    }
}

/** The indexes `i` whose entry holds [CrashWriter.crashValue] `i`, in order; fails on an entry with another value. */
private fun survivors(file: Path, count: Int): List<Int> = sqlite(file).use { connection ->
    val found = sortedMapOf<Int, String>()
    connection.createStatement().use { statement ->
        statement.executeQuery("SELECT key, value FROM stackquery_cache").use { rows ->
            while (rows.next()) {
                val key = rows.getString(1)
                val index = key.substringAfter("[\"crash\",").removeSuffix("]").toInt()
                found[index] = rows.getString(2)
            }
        }
    }
    for ((i, value) in found) {
        check(i in 0 until count && value.contains("\"data\":\"${CrashWriter.crashValue(i)}\"")) {
            "entry $i holds $value"
        }
    }
    found.keys.toList()
}

private fun integrityCheck(file: Path): String = sqlite(file).use { connection ->
    connection.createStatement().use {
        it.executeQuery("PRAGMA integrity_check").use { rows -> rows.next(); rows.getString(1) }
    }
}

private fun sqlite(file: Path) = DriverManager.getConnection("jdbc:sqlite:${File(file.toString()).absolutePath}")
