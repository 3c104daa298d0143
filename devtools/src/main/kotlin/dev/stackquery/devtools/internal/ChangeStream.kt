package dev.stackquery.devtools.internal

import com.sun.net.httpserver.HttpExchange
import java.io.IOException
import java.util.concurrent.ArrayBlockingQueue
import java.util.concurrent.CopyOnWriteArraySet
import java.util.concurrent.TimeUnit

/**
 * The open server-sent event streams of the page: each gets `data: changed` when [broadcast] is
 * called, and a comment line every [KEEPALIVE_SECONDS] so that a closed page is noticed. Each
 * stream holds one server thread while open; at most [MAX_STREAMS] are open at once. Thread-safe.
 */
internal class ChangeStream {
    private val streams = CopyOnWriteArraySet<Stream>()

    @Volatile
    private var closed = false

    /** Tells every open stream that the cache changed (a stream already told and not yet written to is not told twice). */
    fun broadcast() {
        for (stream in streams) stream.messages.offer(CHANGED)
    }

    /**
     * Serves [exchange] as an event stream until the page goes away or [close] is called; blocks
     * the calling (server) thread meanwhile. Answers 503 when [MAX_STREAMS] are already open.
     */
    fun serve(exchange: HttpExchange) {
        val stream = Stream()
        if (closed || streams.size >= MAX_STREAMS || !streams.add(stream)) {
            Responses.json(exchange, 503, DevtoolsJson.error("too many open event streams (at most $MAX_STREAMS)"))
            return
        }
        try {
            exchange.responseHeaders.add("Content-Type", "text/event-stream; charset=utf-8")
            Responses.addCommonHeaders(exchange)
            exchange.sendResponseHeaders(200, 0)
            val out = exchange.responseBody
            // Registered before this first line: a reader that saw it will be told of every later change.
            out.write(": connected\nretry: 1000\n\n".toByteArray())
            out.flush()
            while (!closed) {
                val message = stream.messages.poll(KEEPALIVE_SECONDS, TimeUnit.SECONDS) ?: KEEPALIVE
                if (message === STOP) break
                out.write(message.toByteArray())
                out.flush()
            }
        } catch (e: IOException) {
            // The page went away.
        } catch (e: InterruptedException) {
            Thread.currentThread().interrupt()
        } finally {
            streams.remove(stream)
            exchange.close()
        }
    }

    /** Ends every open stream and refuses new ones. */
    fun close() {
        closed = true
        for (stream in streams) {
            stream.messages.clear()
            stream.messages.offer(STOP)
        }
    }

    private class Stream {
        val messages = ArrayBlockingQueue<String>(1)
    }

    companion object {
        const val MAX_STREAMS = 16
        const val KEEPALIVE_SECONDS = 15L
        const val CHANGED = "data: changed\n\n"
        const val KEEPALIVE = ": keepalive\n\n"
        val STOP = String(charArrayOf('s', 't', 'o', 'p'))
    }
}
