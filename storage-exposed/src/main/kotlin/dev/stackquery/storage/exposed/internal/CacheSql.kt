package dev.stackquery.storage.exposed.internal

import org.jetbrains.exposed.v1.core.LikePattern
import org.jetbrains.exposed.v1.core.Op
import org.jetbrains.exposed.v1.core.and
import org.jetbrains.exposed.v1.core.eq
import org.jetbrains.exposed.v1.core.greater
import org.jetbrains.exposed.v1.core.greaterEq
import org.jetbrains.exposed.v1.core.inList
import org.jetbrains.exposed.v1.core.isNotNull
import org.jetbrains.exposed.v1.core.isNull
import org.jetbrains.exposed.v1.core.less
import org.jetbrains.exposed.v1.core.lessEq
import org.jetbrains.exposed.v1.core.like
import org.jetbrains.exposed.v1.core.or
import org.jetbrains.exposed.v1.core.statements.UpdateBuilder
import org.jetbrains.exposed.v1.jdbc.batchUpsert
import org.jetbrains.exposed.v1.jdbc.deleteAll
import org.jetbrains.exposed.v1.jdbc.deleteWhere
import org.jetbrains.exposed.v1.jdbc.select
import org.jetbrains.exposed.v1.jdbc.upsert

/**
 * The statements of an [dev.stackquery.storage.exposed.ExposedStorage] on [table], for a database
 * of [flavor]. Every function runs inside the caller's Exposed transaction; every value is a bound
 * parameter.
 */
internal class CacheSql(private val table: CacheTable, val flavor: SqlFlavor) {
    /** The value of [key] if it has not expired at [now]. */
    fun read(key: String, now: Long): String? = table.select(table.value)
        .where { (table.key eq key) and alive(now) }
        .firstOrNull()
        ?.get(table.value)

    /** The values of those of [keys] that have not expired at [now], in the order of [keys]. */
    fun readAll(keys: Collection<String>, now: Long): Map<String, String> {
        val distinct = keys.distinct()
        val found = HashMap<String, String>(distinct.size * 2)
        for (chunk in distinct.chunked(KEYS_PER_STATEMENT)) {
            table.select(table.key, table.value)
                .where { (table.key inList chunk) and alive(now) }
                .forEach { row -> found[row[table.key]] = row[table.value] }
        }
        val result = LinkedHashMap<String, String>(found.size * 2)
        for (key in distinct) found[key]?.let { result[key] = it }
        return result
    }

    /**
     * Applies [ops] in order and returns each one's result. Consecutive key writes are folded
     * (the last write of a key wins) and sent as one batched upsert and one delete, in key order
     * (concurrent transactions then lock rows in the same order and cannot deadlock).
     */
    fun apply(ops: List<WriteOp>): LongArray {
        val results = LongArray(ops.size)
        val pending = LinkedHashMap<String, KeyWrite>()
        ops.forEachIndexed { i, op ->
            when (op) {
                is WriteOp.Put -> for (write in op.writes) pending[write.key] = write
                is WriteOp.DeletePrefix -> {
                    flush(pending)
                    results[i] = deletePrefix(op.prefix)
                }
                is WriteOp.Purge -> {
                    flush(pending)
                    results[i] = purge(op.now)
                }
            }
        }
        flush(pending)
        return results
    }

    private fun flush(pending: MutableMap<String, KeyWrite>) {
        if (pending.isEmpty()) return
        val writes = pending.values.sortedBy { it.key }
        pending.clear()
        val deleted = writes.filter { it.value == null }.map { it.key }
        for (chunk in deleted.chunked(KEYS_PER_STATEMENT)) {
            table.deleteWhere { table.key inList chunk }
        }
        val upserts = writes.filter { it.value != null }
        if (upserts.isEmpty()) return
        // Conflicts are on the primary key (MySQL and MariaDB accept no other). The statements' own
        // `table` would shadow ours in their bodies.
        val t = table
        if (flavor.batchUpserts) {
            t.batchUpsert(upserts, shouldReturnGeneratedValues = false) { write -> fill(this, write) }
        } else {
            for (write in upserts) t.upsert { fill(it, write) }
        }
    }

    private fun fill(row: UpdateBuilder<*>, write: KeyWrite) {
        row[table.key] = write.key
        row[table.value] = write.value!!
        row[table.expiresAt] = write.expiresAt
        row[table.updatedAt] = write.updatedAt
    }

    private fun deletePrefix(prefix: String): Long {
        if (prefix.isEmpty()) return table.deleteAll().toLong()
        val matches: Op<Boolean> = if (flavor.prefixAsRange) {
            val upper = prefixUpperBound(prefix)
            if (upper == null) table.key greaterEq prefix else (table.key greaterEq prefix) and (table.key less upper)
        } else {
            table.key like LikePattern(likePrefixPattern(prefix), LIKE_ESCAPE)
        }
        return table.deleteWhere { matches }.toLong()
    }

    private fun purge(now: Long): Long =
        table.deleteWhere { table.expiresAt.isNotNull() and (table.expiresAt lessEq now) }.toLong()

    private fun alive(now: Long): Op<Boolean> = table.expiresAt.isNull() or (table.expiresAt greater now)

    private companion object {
        /** Keys bound in one `IN (...)` list: well under every dialect's parameter limit. */
        const val KEYS_PER_STATEMENT = 500
    }
}
