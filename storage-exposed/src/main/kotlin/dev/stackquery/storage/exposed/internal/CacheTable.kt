package dev.stackquery.storage.exposed.internal

import org.jetbrains.exposed.v1.core.Column
import org.jetbrains.exposed.v1.core.Table

/**
 * The cache table: one row per entry. Its DDL is written per dialect by [SqlFlavor] (collations
 * and types Exposed's generic column types cannot express); this definition drives the DML.
 */
internal class CacheTable(name: String) : Table(name) {
    /** The entry's key; exact and case-sensitive on every dialect (see [SqlFlavor.createStatements]). */
    val key: Column<String> = varchar("key", MAX_KEY_LENGTH)

    /** The stored value, verbatim. */
    val value: Column<String> = registerColumn("value", ValueColumnType())

    /** When the entry expires, in epoch milliseconds of the storage's clock; `null`: never. */
    val expiresAt: Column<Long?> = long("expires_at").nullable()

    /** When the entry was last written, in epoch milliseconds of the storage's clock. */
    val updatedAt: Column<Long> = long("updated_at")

    override val primaryKey: PrimaryKey = PrimaryKey(key)

    /** The name of the index on [expiresAt]. */
    val expiresAtIndexName: String get() = "${tableName}_expires_at_idx"

    internal companion object {
        /**
         * The longest key, in UTF-16 characters: a primary key of 768 `utf8mb4` characters is
         * InnoDB's 3072-byte index limit.
         */
        const val MAX_KEY_LENGTH: Int = 768
    }
}
