package dev.stackquery.storage.exposed.internal

import org.postgresql.PGConnection
import java.sql.Connection
import java.util.WeakHashMap

/**
 * How a [dev.stackquery.storage.exposed.PostgresSyncTransport] puts messages on a PostgreSQL
 * notification channel and takes them off: the wire format, the table that carries the messages
 * too large for a notification, and the identity of the server a connection talks to.
 *
 * A notification payload is [INLINE] followed by the message when that fits in PostgreSQL's limit
 * (shorter than 8,000 bytes in UTF-8), else [STORED] followed by the id of a row of [table] that
 * holds the message (inserted on the same connection, so in the same transaction as the
 * notification: the row is visible exactly when the notification is delivered). Rows older than
 * [RETENTION_MINUTES] are deleted, at most once a minute, by the publishers.
 *
 * Methods run blocking JDBC on the caller's thread. Thread-safe (the connection passed in is the
 * caller's to serialize).
 */
internal class PgChannel(val channel: String, val table: String) {
    init {
        require(channel.isNotEmpty()) { "channel must not be empty" }
        require(channel.toByteArray(Charsets.UTF_8).size <= MAX_IDENTIFIER_BYTES) {
            "channel must be at most $MAX_IDENTIFIER_BYTES bytes (a PostgreSQL identifier): $channel"
        }
        require(TABLE_NAME.matches(table)) { "table must be a plain SQL identifier (letters, digits, _): $table" }
    }

    @Volatile private var tableReady = false

    @Volatile private var lastPrune = 0L

    private val identities = WeakHashMap<PGConnection, String>() // guarded by itself

    /** `LISTEN` on [channel], quoted, so its case and characters are kept. */
    val listenStatement: String = "LISTEN \"" + channel.replace("\"", "\"\"") + "\""

    /**
     * Sends [message] as a notification on [connection]: delivered when the connection's
     * transaction commits (at once in auto-commit mode). A message too large for a notification is
     * stored in [table] first; [ensureTable] must have succeeded on some connection before.
     */
    fun notify(connection: Connection, message: String) {
        val inline = INLINE + message
        val payload = if (inline.utf8Length() < MAX_PAYLOAD_BYTES) {
            inline
        } else {
            check(tableReady) { "ensureTable() was not called" }
            STORED + store(connection, message)
        }
        connection.prepareStatement("SELECT pg_notify(?, ?)").use { statement ->
            statement.setString(1, channel)
            statement.setString(2, payload)
            statement.executeQuery().close()
        }
    }

    /** Whether [message] is stored in [table] rather than carried by the notification. */
    fun needsTable(message: String): Boolean = (INLINE + message).utf8Length() >= MAX_PAYLOAD_BYTES

    /** Creates [table] if it does not exist, on [connection] in auto-commit mode; once per channel object. */
    fun ensureTable(connection: Connection) {
        if (tableReady) return
        try {
            connection.createStatement().use {
                it.execute(
                    "CREATE TABLE IF NOT EXISTS $table (id BIGSERIAL PRIMARY KEY, channel TEXT NOT NULL, " +
                        "payload TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                )
            }
        } catch (e: java.sql.SQLException) {
            // Two processes creating it at once: one fails on the catalog's unique index, the table exists.
            if (!tableExists(connection)) throw e
        }
        tableReady = true
    }

    /**
     * The message a notification [payload] carries: read from [table] on [connection] when stored
     * there; `null` when that row is gone (older than the retention: the message is lost). A payload
     * in no known form (sent by something else) is returned as it is.
     */
    fun receive(connection: Connection, payload: String): String? = when {
        payload.startsWith(INLINE) -> payload.substring(INLINE.length)
        payload.startsWith(STORED) -> {
            val id = payload.substring(STORED.length).toLongOrNull()
            if (id == null) null else read(connection, id)
        }
        else -> payload
    }

    /**
     * The server and database [connection] talks to (the database's name and the server's port
     * and start time): two connections with the same identity see the same notification channels.
     * Cached per physical connection.
     */
    fun identity(connection: Connection): String {
        val physical = connection.unwrap(PGConnection::class.java)
        synchronized(identities) { identities[physical]?.let { return it } }
        val identity = connection.createStatement().use { statement ->
            statement.executeQuery(
                "SELECT current_database() || '|' || coalesce(inet_server_port(), 0) || '|' || pg_postmaster_start_time()",
            ).use { it.next(); it.getString(1) }
        }
        synchronized(identities) { identities[physical] = identity }
        return identity
    }

    private fun store(connection: Connection, message: String): Long {
        prune(connection)
        return connection.prepareStatement("INSERT INTO $table (channel, payload) VALUES (?, ?) RETURNING id").use {
            it.setString(1, channel)
            it.setString(2, message)
            it.executeQuery().use { rows -> rows.next(); rows.getLong(1) }
        }
    }

    private fun prune(connection: Connection) {
        val now = System.currentTimeMillis()
        if (now - lastPrune < 60_000) return
        lastPrune = now
        connection.createStatement().use {
            it.executeUpdate("DELETE FROM $table WHERE created_at < now() - interval '$RETENTION_MINUTES minutes'")
        }
    }

    private fun read(connection: Connection, id: Long): String? =
        connection.prepareStatement("SELECT payload FROM $table WHERE id = ? AND channel = ?").use {
            it.setLong(1, id)
            it.setString(2, channel)
            it.executeQuery().use { rows -> if (rows.next()) rows.getString(1) else null }
        }

    private fun tableExists(connection: Connection): Boolean =
        connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL").use {
            it.setString(1, table)
            it.executeQuery().use { rows -> rows.next() && rows.getBoolean(1) }
        }

    companion object {
        const val INLINE: String = "="
        const val STORED: String = "#"

        /** PostgreSQL's payload limit in its default configuration: shorter than 8,000 bytes. */
        const val MAX_PAYLOAD_BYTES: Int = 8000
        const val MAX_IDENTIFIER_BYTES: Int = 63
        const val RETENTION_MINUTES: Int = 60
        private val TABLE_NAME = Regex("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?")

        private fun String.utf8Length(): Int {
            var bytes = 0
            for (c in this) {
                bytes += when {
                    c.code < 0x80 -> 1
                    c.code < 0x800 -> 2
                    Character.isSurrogate(c) -> 2 // a pair: 4 bytes in all
                    else -> 3
                }
            }
            return bytes
        }
    }
}
