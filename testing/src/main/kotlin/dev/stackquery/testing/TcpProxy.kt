package dev.stackquery.testing

import java.io.IOException
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.net.Socket
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.locks.ReentrantLock
import kotlin.concurrent.thread
import kotlin.concurrent.withLock

/**
 * A TCP proxy for connection-loss tests of a storage or transport that talks to a server: listens
 * on an ephemeral port of 127.0.0.1 ([port]) and forwards every connection to
 * [targetHost]:[targetPort], byte for byte, with two daemon threads per connection. Point the
 * storage's URL at [port] instead of the server's, then cut or freeze the network under it:
 *
 * ```kotlin
 * TcpProxy("127.0.0.1", 5432).use { proxy ->
 *     val url = "jdbc:postgresql://127.0.0.1:${proxy.port}/app"
 *     // … traffic …
 *     proxy.cut()     // every connection reset, new ones refused
 *     proxy.restore() // connections accepted again
 * }
 * ```
 *
 * - [cut] drops every connection (a TCP reset) and refuses new ones (each is reset as soon as
 *   it is accepted; the port stays bound, since a closed port could be taken by another socket
 *   before [restore] binds it again);
 * - [restore] forwards new connections again;
 * - [freeze] keeps connections open but forwards nothing (a server that stopped answering),
 *   [thaw] forwards what was held back and carries on;
 * - [close] drops everything for good.
 *
 * Thread-safe.
 */
public class TcpProxy(
    private val targetHost: String,
    private val targetPort: Int,
) : AutoCloseable {
    private val lock = ReentrantLock()
    private val thawed = lock.newCondition()
    private val server: ServerSocket = ServerSocket().apply {
        reuseAddress = true
        bind(InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))
    }
    private val sockets = ConcurrentHashMap.newKeySet<Socket>()
    private var closed = false
    private var refusing = false

    @Volatile
    private var frozen = false

    /** The port this proxy listens on, on 127.0.0.1. */
    public val port: Int = server.localPort

    init {
        accept()
    }

    /** Drops every open connection and refuses new ones until [restore]. */
    public fun cut() {
        lock.withLock {
            refusing = true
            sockets.forEach(::reset)
            sockets.clear()
        }
    }

    /** Forwards new connections again after [cut]. */
    public fun restore() {
        lock.withLock {
            check(!closed) { "the proxy is closed" }
            refusing = false
        }
    }

    /** Stops forwarding in both directions; connections stay open. */
    public fun freeze() {
        frozen = true
    }

    /** Forwards again after [freeze]. */
    public fun thaw() {
        lock.withLock {
            frozen = false
            thawed.signalAll()
        }
    }

    override fun close() {
        lock.withLock {
            closed = true
            frozen = false
            thawed.signalAll()
            server.close()
            sockets.forEach(::reset)
            sockets.clear()
        }
    }

    private fun accept() {
        thread(isDaemon = true, name = "TcpProxy-$port-accept") {
            while (true) {
                val client = try {
                    server.accept()
                } catch (e: IOException) {
                    return@thread // closed by close()
                }
                if (lock.withLock { refusing }) {
                    reset(client)
                    continue
                }
                val upstream = try {
                    Socket(targetHost, targetPort)
                } catch (e: IOException) {
                    reset(client)
                    continue
                }
                val open = lock.withLock {
                    if (!refusing && !closed) {
                        sockets += client
                        sockets += upstream
                    }
                    !refusing && !closed
                }
                if (!open) {
                    reset(client)
                    reset(upstream)
                    continue
                }
                pump(client, upstream)
                pump(upstream, client)
            }
        }
    }

    private fun pump(from: Socket, to: Socket) {
        thread(isDaemon = true, name = "TcpProxy-$port-pump") {
            val buffer = ByteArray(16 * 1024)
            try {
                val input = from.getInputStream()
                val output = to.getOutputStream()
                while (true) {
                    val read = input.read(buffer)
                    if (read < 0) break
                    awaitThawed()
                    output.write(buffer, 0, read)
                    output.flush()
                }
            } catch (e: IOException) {
                // the connection was dropped
            } catch (e: InterruptedException) {
                // the JVM is shutting down
            } finally {
                sockets.remove(from)
                sockets.remove(to)
                from.close()
                to.close()
            }
        }
    }

    private fun awaitThawed() {
        if (!frozen) return
        lock.withLock {
            while (frozen) thawed.await()
        }
    }

    /** Closes [socket] abruptly: a reset rather than an orderly shutdown, as a network failure looks. */
    private fun reset(socket: Socket) {
        try {
            socket.setSoLinger(true, 0)
        } catch (e: IOException) {
            // already closed
        }
        socket.close()
    }
}
