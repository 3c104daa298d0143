package dev.stackquery.storage.exposed.internal

import dev.stackquery.storage.StorageException
import org.jetbrains.exposed.v1.core.vendors.DatabaseDialect
import org.jetbrains.exposed.v1.core.vendors.H2Dialect
import org.jetbrains.exposed.v1.core.vendors.MariaDBDialect
import org.jetbrains.exposed.v1.core.vendors.MysqlDialect
import org.jetbrains.exposed.v1.core.vendors.PostgreSQLDialect
import org.jetbrains.exposed.v1.core.vendors.SQLiteDialect
import org.jetbrains.exposed.v1.jdbc.JdbcTransaction

/**
 * What differs between the supported databases: the table's DDL (a key column that compares
 * exactly and case-sensitively, a value column for multi-MiB text) and how a key prefix is matched.
 */
internal enum class SqlFlavor(
    /** True when the key column orders by Unicode code point, so a prefix is an exact key range. */
    val prefixAsRange: Boolean,
    /** True when a JDBC batch of upserts is exact (false: one upsert statement per row). */
    val batchUpserts: Boolean = true,
) {
    /** `TEXT` compares bytewise (BINARY collation, UTF-8): code point order. Its LIKE ignores ASCII case. */
    SQLITE(prefixAsRange = true),

    /**
     * Java `String` order (UTF-16) unless the database has a collation: a prefix is matched with
     * LIKE. Exposed's batched `MERGE ... USING (VALUES (?, ...))` takes a column's type from the
     * first row, so a `NULL` expiry there turns every later expiry of the batch into `NULL`: rows
     * are upserted one statement each (in the same transaction).
     */
    H2(prefixAsRange = false, batchUpserts = false),

    /** The key column is `COLLATE "C"`: bytewise UTF-8, code point order. */
    POSTGRESQL(prefixAsRange = true),

    /** The key column is `utf8mb4_nopad_bin`: code point order, trailing spaces significant. */
    MARIADB(prefixAsRange = true),

    /** The key column is `utf8mb4_0900_bin` (MySQL 8.0.17+): code point order, no padding. */
    MYSQL(prefixAsRange = true),
    ;

    /** The JDBC type names (lowercase) the value column reports in a table [createStatements] made. */
    val valueTypeNames: Set<String>
        get() = when (this) {
            SQLITE -> setOf("text")
            H2 -> setOf("character varying")
            POSTGRESQL -> setOf("bytea")
            MARIADB, MYSQL -> setOf("longtext")
        }

    /** The statements that create [table] and its index when missing (idempotent, safe to race). */
    fun createStatements(tx: JdbcTransaction, table: CacheTable): List<String> {
        val t = tx.identity(table)
        val k = tx.identity(table.key)
        val v = tx.identity(table.value)
        val e = tx.identity(table.expiresAt)
        val u = tx.identity(table.updatedAt)
        val index = table.expiresAtIndexName
        val max = CacheTable.MAX_KEY_LENGTH
        return when (this) {
            SQLITE -> listOf(
                "CREATE TABLE IF NOT EXISTS $t ($k TEXT NOT NULL PRIMARY KEY, $v TEXT NOT NULL, " +
                    "$e INTEGER NULL, $u INTEGER NOT NULL)",
                "CREATE INDEX IF NOT EXISTS $index ON $t ($e)",
            )
            H2 -> listOf(
                "CREATE TABLE IF NOT EXISTS $t ($k VARCHAR($max) NOT NULL PRIMARY KEY, " +
                    "$v CHARACTER VARYING NOT NULL, $e BIGINT NULL, $u BIGINT NOT NULL)",
                "CREATE INDEX IF NOT EXISTS $index ON $t ($e)",
            )
            POSTGRESQL -> listOf(
                // Serialises concurrent creators: CREATE TABLE IF NOT EXISTS alone can still race in PostgreSQL.
                "SELECT pg_advisory_xact_lock(${advisoryLockId(table.tableName)})",
                "CREATE TABLE IF NOT EXISTS $t ($k VARCHAR($max) COLLATE \"C\" NOT NULL PRIMARY KEY, " +
                    "$v BYTEA NOT NULL, " +
                    "$e BIGINT NULL, $u BIGINT NOT NULL)",
                "CREATE INDEX IF NOT EXISTS $index ON $t ($e)",
            )
            MARIADB, MYSQL -> {
                val keyCollation = if (this == MARIADB) "utf8mb4_nopad_bin" else "utf8mb4_0900_bin"
                listOf(
                    "CREATE TABLE IF NOT EXISTS $t (" +
                        "$k VARCHAR($max) CHARACTER SET utf8mb4 COLLATE $keyCollation NOT NULL, " +
                        "$v LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, " +
                        "$e BIGINT NULL, $u BIGINT NOT NULL, " +
                        "PRIMARY KEY ($k), INDEX $index ($e)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
                )
            }
        }
    }

    companion object {
        /** The flavor of [dialect]; a [StorageException] for a database ExposedStorage does not support. */
        fun of(dialect: DatabaseDialect): SqlFlavor = when (dialect) {
            is SQLiteDialect -> SQLITE
            is H2Dialect -> H2
            is PostgreSQLDialect -> POSTGRESQL
            is MariaDBDialect -> MARIADB
            is MysqlDialect -> MYSQL
            else -> throw StorageException(
                "ExposedStorage supports SQLite, H2, PostgreSQL, MariaDB and MySQL; this database is ${dialect.name}",
            )
        }

        /** A stable 63-bit id for PostgreSQL's advisory lock on creating [tableName]. */
        private fun advisoryLockId(tableName: String): Long {
            var hash = -0x340d631b7bdddcdbL // FNV-1a 64-bit offset basis
            for (c in "stackquery:$tableName") {
                hash = (hash xor c.code.toLong()) * 0x100000001b3L
            }
            return hash ushr 1
        }
    }
}
