package dev.stackquery.benchmarks

import java.nio.file.Files
import java.nio.file.Path
import java.sql.DriverManager

/**
 * Benchmark 7, the seed's recipe: PyStackQuery's `SQLiteStorage.set` (seeds/003) on the JVM. Each
 * write opens a new connection to the file (`DriverManager.getConnection("jdbc:sqlite:…")`, SQLite's
 * defaults: rollback journal, `synchronous=FULL`), runs `INSERT OR REPLACE INTO cache (key, value)
 * VALUES (?, ?)`, commits and closes the connection. The table `cache (key TEXT PRIMARY KEY, value
 * TEXT)` is created once, in the constructor (not timed), like the seed's `_init_db`. The rows are
 * the client's: [WriteBehindWorkload.storageKey] and [WriteBehindWorkload.envelope].
 *
 * The seed awaits each `set` in turn (asyncio, one `aiosqlite` thread); here one thread writes them
 * one after the other, without Python's interpreter or event-loop costs. Not thread-safe.
 */
class SeedSqliteWriter(private val rows: Int) : RowWriter {
    private val dir: Path = Files.createTempDirectory("stackquery-bench7-seed-")
    val file: Path = dir.resolve("cache.db")
    private val url = "jdbc:sqlite:$file"
    private val keys: Array<String> = Array(rows) { WriteBehindWorkload.storageKey(it) }
    private val values: Array<String> = Array(rows) { WriteBehindWorkload.envelope(it) }

    init {
        DriverManager.getConnection(url).use { connection ->
            connection.createStatement().use {
                it.execute("CREATE TABLE IF NOT EXISTS $TABLE (key TEXT PRIMARY KEY, value TEXT)")
            }
        }
    }

    /** The timed part: every row written the seed's way, one connection and one commit each. */
    override fun run() {
        for (i in 0 until rows) set(keys[i], values[i])
    }

    private fun set(key: String, value: String) {
        DriverManager.getConnection(url).use { connection ->
            connection.autoCommit = false
            connection.prepareStatement("INSERT OR REPLACE INTO $TABLE (key, value) VALUES (?, ?)").use { statement ->
                statement.setString(1, key)
                statement.setString(2, value)
                statement.executeUpdate()
            }
            connection.commit()
        }
    }

    /** Checks that every row is in the file; throws [IllegalStateException] otherwise. */
    override fun verify() {
        val found = WriteBehindWorkload.rowCount(file, TABLE)
        check(found == rows.toLong()) { "$found rows in $file, expected $rows" }
    }

    override fun close() {
        dir.toFile().deleteRecursively()
    }

    companion object {
        /** The seed's table name. */
        const val TABLE: String = "cache"
    }
}
