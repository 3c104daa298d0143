package dev.stackquery.storage.exposed.internal

import org.postgresql.PGConnection
import org.slf4j.LoggerFactory
import java.sql.Connection
import java.sql.SQLException
import java.util.concurrent.TimeUnit
import java.util.concurrent.locks.ReentrantLock
import kotlin.concurrent.withLock

/**
 * The listening side of a [dev.stackquery.storage.exposed.PostgresSyncTransport]: one dedicated
 * connection that has `LISTEN`ed on the channel, polled by one daemon thread with
 * `PGConnection.getNotifications(timeout)` every [POLL_MILLIS] at most, and checked with a query
 * after [PING_MILLIS] without traffic (a connection that died silently is noticed then).
 *
 * When the connection is lost (or was never opened) the thread opens a new one with [connect],
 * waiting 100 ms after the first failure and twice as long after each further one, up to 5 s;
 * once it listens again it calls [onReconnected] (notifications sent meanwhile were missed).
 * [onPayload] and [onReconnected] are called on that thread, one at a time, in delivery order.
 */
internal class PgListener(
    private val name: String,
    private val channel: PgChannel,
    private val connect: () -> Connection,
    private val onPayload: (Connection, String) -> Unit,
    private val onReconnected: () -> Unit,
) {
    private val log = LoggerFactory.getLogger(PgListener::class.java)
    private val lock = ReentrantLock()
    private val wake = lock.newCondition()

    @Volatile private var closed = false

    @Volatile private var current: Connection? = null

    @Volatile private var thread: Thread? = null

    /** The identity ([PgChannel.identity]) of the server the listening connection talks to, once known. */
    @Volatile var serverIdentity: String? = null
        private set

    /** Opens a connection and listens on it, on the calling thread. */
    fun listen(): Connection {
        val connection = connect()
        try {
            connection.autoCommit = true
            connection.createStatement().use { it.execute(channel.listenStatement) }
            serverIdentity = channel.identity(connection)
            return connection
        } catch (e: Exception) {
            closeQuietly(connection)
            throw e
        }
    }

    /** Starts the polling thread on [connection] (from [listen]), or, when `null`, reconnecting first and then reporting it. */
    fun start(connection: Connection?) {
        current = connection
        thread = Thread({ run(connection) }, name).apply {
            isDaemon = true
            start()
        }
    }

    private fun run(initial: Connection?) {
        var connection = initial
        var wait = FIRST_BACKOFF_MILLIS
        var lastTraffic = System.nanoTime()
        while (!closed) {
            if (connection == null) {
                connection = try {
                    listen().also { current = it }
                } catch (e: Exception) {
                    log.debug("{}: listening failed, trying again in {} ms", name, wait, e)
                    pause(wait)
                    wait = (wait * 2).coerceAtMost(MAX_BACKOFF_MILLIS)
                    continue
                }
                if (closed) break
                log.info("{}: listening again after a lost connection", name)
                wait = FIRST_BACKOFF_MILLIS
                lastTraffic = System.nanoTime()
                onReconnected()
                continue
            }
            try {
                val notifications = connection.unwrap(PGConnection::class.java).getNotifications(POLL_MILLIS)
                if (notifications.isNullOrEmpty()) {
                    if (System.nanoTime() - lastTraffic > TimeUnit.MILLISECONDS.toNanos(PING_MILLIS.toLong())) {
                        connection.createStatement().use { it.execute("SELECT 1") }
                        lastTraffic = System.nanoTime()
                    }
                    continue
                }
                lastTraffic = System.nanoTime()
                for (notification in notifications) {
                    if (notification.name == channel.channel) onPayload(connection, notification.parameter)
                }
            } catch (e: SQLException) {
                if (closed) break
                log.warn("{}: the listening connection was lost ({}); reconnecting", name, e.toString())
                closeQuietly(connection)
                connection = null
                current = null
            }
        }
        connection?.let(::closeQuietly)
    }

    private fun pause(millis: Int) {
        lock.withLock { if (!closed) wake.await(millis.toLong(), TimeUnit.MILLISECONDS) }
    }

    /** Stops the thread (waiting up to [POLL_MILLIS] and a margin for it) and closes the connection. */
    fun close() {
        lock.withLock {
            closed = true
            wake.signalAll()
        }
        val running = thread ?: return current?.let(::closeQuietly) ?: Unit
        if (running !== Thread.currentThread()) running.join(POLL_MILLIS + 2_000L)
        current?.let(::closeQuietly) // still blocked (a frozen network): closing it ends the wait
    }

    private fun closeQuietly(connection: Connection) {
        try {
            connection.close()
        } catch (e: Exception) {
            log.debug("{}: closing a connection failed", name, e)
        }
    }

    companion object {
        const val POLL_MILLIS: Int = 250
        const val PING_MILLIS: Int = 5_000
        const val FIRST_BACKOFF_MILLIS: Int = 100
        const val MAX_BACKOFF_MILLIS: Int = 5_000
    }
}
