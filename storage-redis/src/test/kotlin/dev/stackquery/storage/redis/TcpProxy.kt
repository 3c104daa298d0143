package dev.stackquery.storage.redis

import java.io.IOException
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.net.Socket
import java.util.concurrent.ConcurrentHashMap
import kotlin.concurrent.thread

/**
 * A TCP proxy for connection-loss tests: listens on an ephemeral port of 127.0.0.1 ([port]) and
 * forwards every connection to [targetHost]:[targetPort] (the test Redis by default), byte for
 * byte, with two daemon threads per connection.
 *
 * - [cut] drops every connection (a TCP reset) and refuses new ones (the port is closed);
 * - [restore] accepts connections again on the same port;
 * - [freeze] keeps connections open but forwards nothing (a server that stopped answering),
 *   [thaw] forwards what was held back and carries on;
 * - [close] drops everything for good.
 *
 * Thread-safe.
 */
class TcpProxy(
    private val targetHost: String = TestRedis.HOST,
    private val targetPort: Int = TestRedis.PORT,
) : AutoCloseable {
    private val lock = Object()
    private var server: ServerSocket = listen(0)
    private val sockets = ConcurrentHashMap.newKeySet<Socket>()
    private var closed = false

    @Volatile
    private var frozen = false

    /** The port this proxy listens on (the same after [restore]). */
    val port: Int = server.localPort

    /** A Redis URI that goes through this proxy. */
    val uri: String get() = "redis://127.0.0.1:$port/0"

    /** How many client connections are open through the proxy now. */
    val openConnections: Int get() = sockets.size / 2

    init {
        accept(server)
    }

    /** Drops every open connection and refuses new ones until [restore]. */
    fun cut() {
        synchronized(lock) {
            server.close()
            sockets.forEach(::reset)
            sockets.clear()
        }
    }

    /** Accepts connections again (on the same [port]) after [cut]. No-op when not cut. */
    fun restore() {
        synchronized(lock) {
            check(!closed) { "the proxy is closed" }
            if (!server.isClosed) return
            server = listen(port)
            accept(server)
        }
    }

    /** Stops forwarding in both directions; connections stay open. */
    fun freeze() {
        frozen = true
    }

    /** Forwards again after [freeze]. */
    fun thaw() {
        synchronized(lock) {
            frozen = false
            lock.notifyAll()
        }
    }

    override fun close() {
        synchronized(lock) {
            closed = true
            frozen = false
            lock.notifyAll()
            server.close()
            sockets.forEach(::reset)
            sockets.clear()
        }
    }

    private fun listen(port: Int): ServerSocket = ServerSocket().apply {
        reuseAddress = true
        bind(InetSocketAddress(InetAddress.getByName("127.0.0.1"), port))
    }

    private fun accept(listening: ServerSocket) {
        thread(isDaemon = true, name = "TcpProxy-$port-accept") {
            while (true) {
                val client = try {
                    listening.accept()
                } catch (e: IOException) {
                    return@thread // closed by cut() or close()
                }
                val upstream = try {
                    Socket(targetHost, targetPort)
                } catch (e: IOException) {
                    reset(client)
                    continue
                }
                synchronized(lock) {
                    if (listening !== server || listening.isClosed) {
                        reset(client)
                        reset(upstream)
                        return@thread
                    }
                    sockets += client
                    sockets += upstream
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
        synchronized(lock) {
            while (frozen) lock.wait()
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
