package dev.stackquery.storage.exposed.internal

import dev.stackquery.storage.StorageException
import org.jetbrains.exposed.v1.jdbc.JdbcTransaction
import java.sql.Connection

/**
 * Checks, before creating the table, that a table of its name is one this storage can use: `CREATE TABLE IF NOT EXISTS`
 * keeps a table of the same name that someone else made (or an older schema), and writing into
 * it would silently store what no read can decode (a PostgreSQL `value TEXT` column stores the
 * bytes as hex text, and every later read deletes the entry as corrupt). Nothing is written to
 * such a table: every operation fails with a [StorageException] that names the table, the column
 * and what is wrong.
 */
internal fun JdbcTransaction.checkSchema(table: CacheTable, flavor: SqlFlavor) {
    val columns = columnTypes(connection.connection as Connection, table.tableName)
    if (columns.isEmpty()) return // no such table yet: it is about to be created
    val problems = buildList {
        for (column in listOf(table.key, table.value, table.expiresAt, table.updatedAt)) {
            if (column.name !in columns) add("it has no column ${column.name}")
        }
        val valueType = columns[table.value.name]
        val expected = flavor.valueTypeNames
        if (valueType != null && valueType !in expected) {
            add("its column ${table.value.name} is $valueType, not ${expected.joinToString(" or ")}")
        }
    }
    if (problems.isNotEmpty()) {
        throw StorageException(
            "ExposedStorage cannot use the table ${table.tableName}: ${problems.joinToString("; ")}. It was not " +
                "created by ExposedStorage (or by an incompatible version); nothing was written to it. Drop or " +
                "rename it, or choose another ExposedStorageOptions.tableName.",
        )
    }
}

/** The columns of [tableName] in the connection's own catalog and schema, names and types lowercase. */
private fun columnTypes(connection: Connection, tableName: String): Map<String, String> {
    val metadata = connection.metaData
    val schema = runCatching { connection.schema }.getOrNull()
    // Unquoted identifiers are folded to lowercase by PostgreSQL and to uppercase by H2.
    for (name in linkedSetOf(tableName, tableName.lowercase(), tableName.uppercase())) {
        val columns = HashMap<String, String>()
        metadata.getColumns(connection.catalog, schema, name, null).use { rows ->
            while (rows.next()) {
                columns[rows.getString("COLUMN_NAME").lowercase()] =
                    rows.getString("TYPE_NAME").lowercase()
            }
        }
        if (columns.isNotEmpty()) return columns
    }
    return emptyMap()
}
