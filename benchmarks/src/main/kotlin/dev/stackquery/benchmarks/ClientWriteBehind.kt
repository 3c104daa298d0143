package dev.stackquery.benchmarks

import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryClock
import dev.stackquery.QueryKey
import dev.stackquery.queryOptions
import dev.stackquery.storage.exposed.ExposedStorage
import kotlinx.coroutines.runBlocking
import java.nio.file.Files
import java.nio.file.Path
import kotlin.time.Duration

/**
 * Benchmark 7, StackQuery: [rows] rows persisted through a [QueryClient]'s write-behind into a new
 * SQLite file, `ExposedStorage.sqlite(file)` with its defaults.
 *
 * The constructor (not timed) makes the file, the storage and the client, and puts the [rows]
 * queries in memory with their codec (`queryOptions<Item>` with `initialData`, which is neither
 * fetched nor persisted), then opens the storage's connections and creates its table. [run]
 * (timed) calls `setQueryData(key, item)` for every row, which queues the row's envelope for the
 * client's background writer, then `flush()`, which returns once the writer has committed every
 * row. [verify] checks that all of them are in the file and that the client dropped none.
 *
 * The client: infinite `staleTime` and `gcTime`, `maxPendingWrites` = [rows] (nothing is
 * dropped), the default `writeBatchSize` (256 rows per `setAll`, one transaction each), and a
 * fixed clock ([WriteBehindWorkload.CLOCK_MILLIS]) so that every row is exactly
 * [WriteBehindWorkload.envelope]. Not thread-safe: one benchmark thread drives it.
 */
class ClientWriteBehind(private val rows: Int) : RowWriter {
    private val dir: Path = Files.createTempDirectory("stackquery-bench7-client-")
    val file: Path = dir.resolve("cache.db")
    private val storage = ExposedStorage.sqlite(file)
    private val client = QueryClient(
        QueryClientConfig(
            staleTime = Duration.INFINITE,
            gcTime = Duration.INFINITE,
            cacheMaxSize = rows + 16,
            clock = QueryClock { WriteBehindWorkload.CLOCK_MILLIS },
            storage = storage,
            maxPendingWrites = rows,
        ),
    )
    private val keys: Array<QueryKey> = Array(rows) { WriteBehindWorkload.key(it) }
    private val items: Array<Item> = Array(rows) { WriteBehindWorkload.item(it) }

    init {
        runBlocking {
            for (i in 0 until rows) {
                val placeholder = Item(i, "", emptyList(), "")
                val options =
                    queryOptions(keys[i], queryFn = { error("benchmark 7 never fetches") }, initialData = placeholder)
                check(client.ensureQueryData(options) == placeholder)
            }
            // The table and the connections, as an application's first use would have made them.
            storage.set(WARM_UP_KEY, "", null)
            check(storage.get(WARM_UP_KEY) == "")
            storage.delete(WARM_UP_KEY)
        }
        check(client.storageStats()!!.writes == 0L) { "the preparation persisted rows" }
    }

    /** The timed part: every row through `setQueryData`, then `flush()` until all are committed. */
    override fun run() {
        for (i in 0 until rows) client.setQueryData(keys[i], items[i])
        runBlocking { client.flush() }
    }

    /** Checks that every row was written and none dropped; throws [IllegalStateException] otherwise. */
    override fun verify() {
        val stats = client.storageStats()!!
        val complete = stats.writes == rows.toLong() && stats.writesDropped == 0L
        check(complete && stats.errors == 0L && stats.pendingWrites == 0) {
            "the client did not write all $rows rows: $stats"
        }
        val found = WriteBehindWorkload.rowCount(file, WriteBehindWorkload.CLIENT_TABLE)
        check(found == rows.toLong()) { "$found rows in $file, expected $rows" }
    }

    /** The client and the storage closed, the file deleted. */
    override fun close() {
        try {
            client.close()
            storage.close()
        } finally {
            dir.toFile().deleteRecursively()
        }
    }

    private companion object {
        const val WARM_UP_KEY = "benchmark:warm-up"
    }
}
