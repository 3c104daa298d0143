package dev.stackquery.devtools.internal

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import dev.stackquery.QueryCacheEvent
import dev.stackquery.QueryClient
import dev.stackquery.devtools.StackQueryDevtools
import dev.stackquery.devtools.StackQueryDevtoolsOptions
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import org.slf4j.LoggerFactory
import java.net.InetSocketAddress
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger

/**
 * The server behind [StackQueryDevtools]: binds at construction, checks the token of every
 * request, hands the request to [ApiRoutes] (or to [ChangeStream] for the event stream), and
 * listens to the client's events to keep [StateHistory] and to notify the open pages (at most
 * once per [StackQueryDevtoolsOptions.notifyInterval]).
 */
internal class DevtoolsServer(private val client: QueryClient, private val options: StackQueryDevtoolsOptions) {
    private val accessToken = AccessToken()
    private val history = StateHistory(options.historySize) { client.getQueryState<Any?>(it) != null }
    private val changes = ChangeStream()
    private val routes = ApiRoutes(client, options, history, accessToken.value)
    private val closed = AtomicBoolean()
    private val executor: ExecutorService = Executors.newCachedThreadPool(daemonThreads())
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default + CoroutineName("stackquery-devtools"))
    private val changed = Channel<Unit>(Channel.CONFLATED)
    private val server: HttpServer = HttpServer.create(InetSocketAddress(options.host, options.port), 0)

    val token: String get() = accessToken.value
    val port: Int = server.address.port
    val url: String = "http://${hostForUrl(options.host)}:$port/?token=$token"
    val isClosed: Boolean get() = closed.get()

    init {
        listen()
        server.executor = executor
        server.createContext("/") { exchange -> handle(exchange) }
        server.start()
        log.info("StackQuery devtools for {}: {}", client, url)
    }

    private fun listen() {
        // Undispatched: subscribed to the events before the constructor returns.
        scope.launch(start = CoroutineStart.UNDISPATCHED) {
            client.events.collect { event ->
                when (event) {
                    is QueryCacheEvent.Updated -> history.record(
                        event.queryKey,
                        event.state,
                        client.config.clock.nowMillis(),
                    )
                    is QueryCacheEvent.Removed -> history.drop(event.queryKey)
                    else -> {}
                }
                changed.trySend(Unit)
            }
        }
        scope.launch(start = CoroutineStart.UNDISPATCHED) {
            client.mutationEvents.collect { changed.trySend(Unit) }
        }
        scope.launch {
            val interval = options.notifyInterval.toMillis()
            for (unit in changed) {
                changes.broadcast()
                if (interval > 0) delay(interval)
            }
        }
    }

    private fun handle(exchange: HttpExchange) {
        try {
            when (accessToken.check(exchange)) {
                AccessToken.Verdict.MISSING -> Responses.json(exchange, 401, DevtoolsJson.error(MISSING_TOKEN))
                AccessToken.Verdict.WRONG -> Responses.json(exchange, 403, DevtoolsJson.error("wrong access token"))
                AccessToken.Verdict.OK -> when (exchange.requestURI.path) {
                    "/api/events" -> if (exchange.requestMethod ==
                        "GET"
                    ) {
                        changes.serve(exchange)
                    } else {
                        routes.route(exchange)
                    }
                    else -> routes.route(exchange)
                }
            }
        } catch (e: Exception) {
            log.warn("StackQuery devtools: request {} {} failed", exchange.requestMethod, exchange.requestURI.path, e)
            runCatching { Responses.json(exchange, 500, DevtoolsJson.error("internal error: ${describe(e)}")) }
        } finally {
            exchange.close()
        }
    }

    fun close() {
        if (!closed.compareAndSet(false, true)) return
        changes.close()
        scope.cancel()
        routes.close()
        server.stop(0)
        executor.shutdownNow()
    }

    private companion object {
        val log = LoggerFactory.getLogger(StackQueryDevtools::class.java)
        val threads = AtomicInteger()

        const val MISSING_TOKEN =
            "an access token is required: open the URL StackQuery devtools logged at start " +
                "(it carries ?token=…), or send the X-StackQuery-Token header"

        fun daemonThreads() = java.util.concurrent.ThreadFactory { task ->
            Thread(task, "stackquery-devtools-${threads.incrementAndGet()}").apply { isDaemon = true }
        }

        /** [host] as it goes in a URL: an IPv6 literal in brackets. */
        fun hostForUrl(host: String): String = if (':' in host && !host.startsWith("[")) "[$host]" else host
    }
}
