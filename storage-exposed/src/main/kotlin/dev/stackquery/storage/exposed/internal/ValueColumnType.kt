package dev.stackquery.storage.exposed.internal

import org.jetbrains.exposed.v1.core.ColumnType
import org.jetbrains.exposed.v1.core.statements.api.RowApi
import org.jetbrains.exposed.v1.core.vendors.PostgreSQLDialect
import org.jetbrains.exposed.v1.core.vendors.currentDialect
import java.sql.Blob
import java.sql.Clob

/**
 * The value column: text on every dialect except PostgreSQL, whose `text` cannot hold U+0000, so
 * values are stored there as their UTF-8 bytes (`bytea`). Values read back exactly as written.
 */
internal class ValueColumnType : ColumnType<String>() {
    override fun sqlType(): String = if (currentDialect is PostgreSQLDialect) "BYTEA" else "TEXT"

    override fun notNullValueToDB(value: String): Any =
        if (currentDialect is PostgreSQLDialect) value.encodeToByteArray() else value

    override fun nonNullValueToString(value: String): String = "'" + value.replace("'", "''") + "'"

    override fun valueFromDB(value: Any): String = when (value) {
        is String -> value
        is ByteArray -> value.decodeToString()
        is Clob -> value.characterStream.use { it.readText() }
        is Blob -> value.binaryStream.use { it.readBytes() }.decodeToString()
        else -> value.toString()
    }

    /** Reads eagerly: a CLOB or BLOB handle is only valid while its result set is open. */
    override fun readObject(rs: RowApi, index: Int): Any? = rs.getObject<Any>(index, null, this)?.let(::valueFromDB)
}
