package dev.stackquery.storage.exposed

import dev.stackquery.storage.StorageUnavailableException
import dev.stackquery.storage.exposed.internal.PgChannel
import dev.stackquery.storage.exposed.internal.PgListener
import dev.stackquery.sync.SyncListener
import dev.stackquery.sync.SyncTransport
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext
import org.slf4j.LoggerFactory
import java.sql.Connection
import java.sql.DriverManager
import java.util.Properties
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.math.max

/**
 * A [SyncTransport] over PostgreSQL `LISTEN`/`NOTIFY`: every transport created on the same
 * database and [channel] receives what any of them publishes, its own messages included, so a
 * fleet that already has PostgreSQL needs no Redis to keep its caches consistent.
 *
 * ```kotlin
 * val transport = PostgresSyncTransport.create("jdbc:postgresql://db:5432/shop?user=app")   // channel "stackquery_sync"
 * ```
 * ```java
 * PostgresSyncTransport transport = PostgresSyncTransport.builder("jdbc:postgresql://db:5432/shop")
 *     .user("app").password(secret).channel("shop_sync").build();
 * ```
 *
 * - **Connections.** Two, opened with `java.sql.DriverManager` (the PostgreSQL JDBC driver,
 *   `org.postgresql:postgresql`, must be on the class path; this module does not bring it): a
 *   dedicated one that `LISTEN`s on [channel], polled by one daemon thread with
 *   `PGConnection.getNotifications` (every 250 ms at most, and a `SELECT 1` after 5 s without
 *   traffic to notice a connection that died silently), and one for publishing. A lost listening
 *   connection is opened again in the background (100 ms after the failure, then twice as long each
 *   time up to 5 s); once it listens again the transport calls [SyncListener.onReconnected]
 *   (never for the first `LISTEN`), since notifications sent meanwhile never reach it.
 * - **Messages.** A message travels in the notification's payload when it fits in PostgreSQL's
 *   limit (shorter than 8,000 bytes); a larger one (a `setQueryData` of a large value) is stored in
 *   [messageTable] (created on first use; rows older than an hour are deleted) and the
 *   notification carries its id: receivers read it from there, and one they can no longer read is
 *   reported as [SyncListener.onReconnected] (lost). Nothing is truncated and nothing is dropped.
 * - **Delivery.** [SyncListener.onMessage] is called on the listening thread, one call at a time,
 *   in the order PostgreSQL delivers: the order of the commits, and within one transaction the
 *   order of the `NOTIFY`s. The listener must return quickly; an exception it throws is logged.
 * - **Transactions.** A notification sent inside a transaction is delivered when it commits, and
 *   not at all if it rolls back: `inTransaction` (see [TransactionalCache]) uses that to announce
 *   cache changes exactly when the data they follow becomes visible.
 * - **Timeouts.** Connecting and each publish fail after `timeout` (default 2 s, rounded up to
 *   whole seconds for the driver's `connectTimeout` and `socketTimeout`), throwing
 *   [StorageUnavailableException]; the publishing connection is opened again on the next publish.
 *
 * Thread-safe. [close] stops the thread, closes both connections and delivers nothing more.
 */
public class PostgresSyncTransport private constructor(builder: Builder) : SyncTransport {
    /** The notification channel this transport listens and publishes on. */
    public val channel: String = builder.channel

    /** The table that carries the messages too large for a notification. */
    public val messageTable: String = builder.messageTable

    private val url = builder.url
    private val properties = Properties().apply {
        putAll(builder.properties)
        val seconds = max(1L, (builder.timeoutMillis + 999) / 1000).toString()
        setProperty("connectTimeout", seconds)
        setProperty("socketTimeout", seconds)
        setProperty("tcpKeepAlive", "true")
        putIfAbsent("ApplicationName", "stackquery-sync")
    }
    internal val wire = PgChannel(channel, messageTable)
    private val started = AtomicBoolean()
    private val closed = AtomicBoolean()
    private val publishing = Mutex()
    private var publisher: Connection? = null // guarded by publishing

    @Volatile private var listener: SyncListener? = null
    private val listening = PgListener(
        "PostgresSyncTransport($channel)",
        wire,
        ::connect,
        onPayload = { connection, payload -> receive(connection, payload) },
        onReconnected = { deliver("onReconnected") { it.onReconnected() } },
    )

    /**
     * Opens the listening connection and `LISTEN`s on [channel], returning once PostgreSQL
     * confirmed it. See [SyncTransport.start].
     *
     * @throws StorageUnavailableException when PostgreSQL cannot be reached within the timeout: the
     *   transport keeps trying in the background and calls [SyncListener.onReconnected] once it
     *   listens.
     * @throws IllegalStateException when called a second time.
     */
    override suspend fun start(listener: SyncListener) {
        check(started.compareAndSet(false, true)) { "start was already called: one transport serves one client" }
        check(!closed.get()) { "the transport is closed" }
        this.listener = listener
        val connection = try {
            withContext(Dispatchers.IO) { listening.listen() }
        } catch (e: Exception) {
            listening.start(null)
            throw unavailable("LISTEN $channel", e)
        }
        listening.start(connection)
    }

    /**
     * Sends [message] to every transport listening on [channel], on the publishing connection in
     * auto-commit mode (delivered at once). See [SyncTransport.publish].
     *
     * @throws StorageUnavailableException when PostgreSQL cannot be reached or the transport is closed.
     */
    override suspend fun publish(message: String) {
        withContext(Dispatchers.IO) {
            publishing.withLock {
                if (closed.get()) throw StorageUnavailableException("$this is closed")
                try {
                    val connection = publisher ?: connect().also { publisher = it }
                    if (wire.needsTable(message)) wire.ensureTable(connection)
                    wire.notify(connection, message)
                } catch (e: Exception) {
                    publisher?.let(::closeQuietly)
                    publisher = null
                    throw unavailable("NOTIFY $channel", e)
                }
            }
        }
    }

    /**
     * Sends [message] on [connection], inside its current transaction (delivered at its commit);
     * stores it in [messageTable] within that transaction when too large. Blocking. Throws what the
     * driver throws (the caller's transaction then fails).
     */
    internal fun publishIn(connection: Connection, message: String) {
        if (wire.needsTable(message)) connect().use(wire::ensureTable) // DDL outside the caller's transaction
        wire.notify(connection, message)
    }

    /** Whether [connection] talks to the database this transport listens on (so its notifications reach it). */
    internal fun reaches(connection: Connection): Boolean {
        val identity = listening.serverIdentity ?: return false
        return try {
            wire.identity(connection) == identity
        } catch (e: Exception) {
            false // not a PostgreSQL connection
        }
    }

    /**
     * Stops the listening thread (waiting up to a few hundred milliseconds for its poll), closes
     * both connections; no listener call starts after it returns. Idempotent.
     */
    override fun close() {
        if (!closed.compareAndSet(false, true)) return
        listener = null
        listening.close()
        val connection = if (publishing.tryLock()) {
            try {
                publisher.also { publisher = null }
            } finally {
                publishing.unlock()
            }
        } else {
            publisher // a publish in progress: closing its connection ends it
        }
        connection?.let(::closeQuietly)
    }

    override fun toString(): String = "PostgresSyncTransport(${url.substringBefore('?')}, channel=$channel)"

    private fun connect(): Connection = DriverManager.getConnection(url, properties)

    private fun receive(connection: Connection, payload: String) {
        val message = try {
            wire.receive(connection, payload)
        } catch (e: Exception) {
            if (e is java.sql.SQLException) throw e // the connection: the listener reconnects and reports the gap
            null
        }
        if (message == null) {
            log.warn("{}: a stored message could no longer be read; reported as a gap", this)
            deliver("onReconnected") { it.onReconnected() }
        } else {
            deliver("onMessage") { it.onMessage(message) }
        }
    }

    private inline fun deliver(what: String, action: (SyncListener) -> Unit) {
        val target = listener ?: return
        try {
            action(target)
        } catch (e: Exception) {
            log.warn("{}: SyncListener.{} threw; ignored", this, what, e)
        }
    }

    private fun unavailable(operation: String, error: Exception) =
        StorageUnavailableException("$this: $operation failed: ${error.message ?: error.javaClass.name}", error)

    private fun closeQuietly(connection: Connection) {
        try {
            connection.close()
        } catch (e: Exception) {
            log.debug("{}: closing a connection failed", this, e)
        }
    }

    /**
     * Configures a [PostgresSyncTransport]; from [PostgresSyncTransport.builder]. Setters return
     * the builder and validate eagerly.
     */
    public class Builder internal constructor(internal val url: String) {
        init {
            require(url.startsWith("jdbc:postgresql:")) {
                "url must be a PostgreSQL JDBC URL (jdbc:postgresql:…): $url"
            }
        }

        internal var channel: String = DEFAULT_CHANNEL
        internal var messageTable: String = DEFAULT_MESSAGE_TABLE
        internal var timeoutMillis: Long = DEFAULT_TIMEOUT_MILLIS
        internal val properties = Properties()

        /** The notification channel (default [DEFAULT_CHANNEL]); at most 63 bytes, case-sensitive. */
        public fun channel(channel: String): Builder = apply {
            PgChannel(channel, messageTable) // validates
            this.channel = channel
        }

        /** The table for messages too large for a notification (default [DEFAULT_MESSAGE_TABLE]), optionally `schema.table`. */
        public fun messageTable(table: String): Builder = apply {
            PgChannel(channel, table) // validates
            this.messageTable = table
        }

        /** The user to connect as (else the URL's `user`). */
        public fun user(user: String): Builder = apply { properties.setProperty("user", user) }

        /** The password (else the URL's `password`, or none). */
        public fun password(password: String): Builder = apply { properties.setProperty("password", password) }

        /** Any other connection property of the PostgreSQL JDBC driver (`ssl`, `sslmode`, …). */
        public fun property(name: String, value: String): Builder = apply { properties.setProperty(name, value) }

        /** How long connecting and each publish may take (default 2 s; whole seconds, rounded up). */
        public fun timeout(timeout: java.time.Duration): Builder = apply {
            require(!timeout.isNegative && !timeout.isZero) { "timeout must be positive: $timeout" }
            timeoutMillis = timeout.toMillis()
        }

        /** The transport; opens no connection until [PostgresSyncTransport.start] or [PostgresSyncTransport.publish]. */
        public fun build(): PostgresSyncTransport = PostgresSyncTransport(this)
    }

    public companion object {
        private val log = LoggerFactory.getLogger(PostgresSyncTransport::class.java)

        /** The default channel: `"stackquery_sync"`. */
        public const val DEFAULT_CHANNEL: String = "stackquery_sync"

        /** The default table for large messages: `"stackquery_sync_messages"`. */
        public const val DEFAULT_MESSAGE_TABLE: String = "stackquery_sync_messages"

        private const val DEFAULT_TIMEOUT_MILLIS = 2_000L

        /** A builder for a transport on the PostgreSQL database at [url] (`jdbc:postgresql://host[:port]/database[?…]`). */
        @JvmStatic
        public fun builder(url: String): Builder = Builder(url)

        /**
         * A transport on the PostgreSQL database at [url] (credentials in the URL, or none) and
         * [channel], with the default timeout of 2 seconds. Opens no connection until [start] or
         * [publish].
         *
         * @throws IllegalArgumentException when [url] is not a PostgreSQL JDBC URL or [channel] is
         *   empty or longer than 63 bytes.
         */
        @JvmStatic
        @JvmOverloads
        public fun create(url: String, channel: String = DEFAULT_CHANNEL): PostgresSyncTransport =
            builder(url).channel(channel).build()
    }
}
