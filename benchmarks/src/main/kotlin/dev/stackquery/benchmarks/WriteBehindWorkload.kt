package dev.stackquery.benchmarks

import dev.stackquery.QueryKey
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.Json
import java.nio.file.Path
import java.sql.DriverManager

/** The data of one query of benchmark 7: a small record whose persisted envelope is about 500 bytes. */
@Serializable
data class Item(val id: Int, val title: String, val tags: List<String>, val body: String)

/**
 * Benchmark 7's rows, the same for every contender: row `i` is the query `["item", i]`, stored
 * under `stackquery:["item",i]` (the client's default namespace) with the value [envelope] `i`:
 * the JSON envelope the client persists for [item] `i` at [CLOCK_MILLIS], byte for byte.
 */
object WriteBehindWorkload {
    /** The fixed time of the client's clock, so that its rows are exactly [envelope]'s. */
    const val CLOCK_MILLIS: Long = 1_700_000_000_000L

    /** The client's storage table (ExposedStorage's default). */
    const val CLIENT_TABLE: String = "stackquery_cache"

    private const val LOREM = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor " +
        "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco " +
        "laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit " +
        "esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa."

    @JvmStatic
    fun key(i: Int): QueryKey = QueryKey.of("item", i)

    /** The storage key of row [i]: the client's namespace and the key's JSON text. */
    @JvmStatic
    fun storageKey(i: Int): String = "stackquery:" + key(i)

    @JvmStatic
    fun item(i: Int): Item = Item(i, "Item $i", listOf("tag${i % 10}", "group${i % 100}"), "$LOREM #$i")

    /** The persisted value of row [i]: `{"v":1,"data":<item JSON>,"dataUpdatedAt":<CLOCK_MILLIS>,"invalidated":false}`. */
    @JvmStatic
    fun envelope(i: Int): String = "{\"v\":1,\"data\":${Json.encodeToString(
        Item.serializer(),
        item(i),
    )},\"dataUpdatedAt\":$CLOCK_MILLIS,\"invalidated\":false}"

    /** How many rows [table] of the SQLite file [file] holds, read through a connection of its own. */
    @JvmStatic
    fun rowCount(file: Path, table: String): Long = DriverManager.getConnection("jdbc:sqlite:$file").use { connection ->
        connection.createStatement().use { statement ->
            statement.executeQuery("SELECT COUNT(*) FROM $table").use { rows ->
                rows.next()
                rows.getLong(1)
            }
        }
    }

    /** Every row of [table] of the SQLite file [file] as key → value, for the tests. */
    fun rows(file: Path, table: String): Map<String, String> =
        DriverManager.getConnection("jdbc:sqlite:$file").use { connection ->
            connection.createStatement().use { statement ->
                statement.executeQuery("SELECT \"key\", \"value\" FROM $table").use { rows ->
                    val out = HashMap<String, String>()
                    while (rows.next()) out[rows.getString(1)] = rows.getString(2)
                    out
                }
            }
        }
}
