package dev.stackquery.benchmarks

import dev.stackquery.storage.exposed.ExposedStorage
import kotlinx.coroutines.runBlocking
import java.nio.file.Files
import java.nio.file.Path

/**
 * Benchmark 7's experiment: the same rows written straight into `ExposedStorage.sqlite(file)`, one
 * `storage.set(key, value, null)` after the other, each awaited until committed (one row per
 * transaction, on the storage's open connection, WAL). No client: it separates what the storage's
 * SQLite setup gives from what the client's write-behind batching adds. The constructor (not timed)
 * opens the connections and creates the table. Not thread-safe.
 */
class DirectStorageWriter(private val rows: Int) : RowWriter {
    private val dir: Path = Files.createTempDirectory("stackquery-bench7-direct-")
    val file: Path = dir.resolve("cache.db")
    private val storage = ExposedStorage.sqlite(file)
    private val keys: Array<String> = Array(rows) { WriteBehindWorkload.storageKey(it) }
    private val values: Array<String> = Array(rows) { WriteBehindWorkload.envelope(it) }

    init {
        runBlocking {
            storage.set(WARM_UP_KEY, "", null)
            check(storage.get(WARM_UP_KEY) == "")
            storage.delete(WARM_UP_KEY)
        }
    }

    /** The timed part: every row through `storage.set`, one at a time. */
    override fun run() = runBlocking {
        for (i in 0 until rows) storage.set(keys[i], values[i], null)
    }

    /** Checks that every row is in the file; throws [IllegalStateException] otherwise. */
    override fun verify() {
        val found = WriteBehindWorkload.rowCount(file, WriteBehindWorkload.CLIENT_TABLE)
        check(found == rows.toLong()) { "$found rows in $file, expected $rows" }
    }

    override fun close() {
        try {
            storage.close()
        } finally {
            dir.toFile().deleteRecursively()
        }
    }

    private companion object {
        const val WARM_UP_KEY = "benchmark:warm-up"
    }
}
