package dev.stackquery.sample

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.put
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.URI
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.ThreadLocalRandom
import java.util.concurrent.atomic.AtomicInteger

/**
 * The samples' stand-in for a remote shop API: a JDK [HttpServer] on 127.0.0.1 and an ephemeral
 * port, inside the sample's own process. Every call waits 50–150 ms (simulated network and
 * database time), answers JSON, and is counted per endpoint, so the samples can print how many
 * HTTP calls StackQuery really made.
 *
 * | endpoint | answer |
 * |---|---|
 * | `GET /users/{id}` | `{"id":42,"name":"Ada Lovelace"}` |
 * | `PUT /users/{id}` with `{"name":…}` | the renamed user, or `409 {"error":…}` when the name is taken |
 * | `GET /stock/{sku}` | `{"sku":"KB-1","available":12}`; one fewer on each call (others are buying) |
 * | `GET /orders/{id}` | `{"id":1001,"status":"PLACED"}`, then `PACKED`, `SHIPPED`, `DELIVERED` on later calls |
 * | `GET /products/{id}` | `{"id":1,"name":"Keyboard","priceCents":4900}` for ids 1–5 |
 * | `GET /catalog/{page}` | `{"page":1,"names":"Keyboard, Mouse","next":2}`: the products two by two, pages 1–3 (`next` is `null` on the last) |
 * | `GET /countries/{code}` | `{"code":"FR","name":"France","currency":"EUR"}` for FR, DE, JP, BR, CA |
 * | `GET /ping` | `{}` at once, not counted: lets a client warm up (the first HTTP call of a JVM is slow) |
 *
 * Thread-safe. [close] stops it.
 */
class DemoServer private constructor(
    private val server: HttpServer,
    private val executor: ExecutorService,
    private val minLatencyMillis: Long,
    private val maxLatencyMillis: Long,
) : AutoCloseable {
    private val calls = ConcurrentHashMap<String, AtomicInteger>()
    private val userNames = ConcurrentHashMap(mapOf(42 to "Ada Lovelace", 7 to "Alan Turing"))

    /** Where the API listens, e.g. `http://127.0.0.1:41234/`. */
    val baseUri: URI = URI.create("http://127.0.0.1:${server.address.port}/")

    /** Calls received for exactly [endpoint], e.g. `"GET /users/42"`. */
    fun calls(endpoint: String): Int = calls[endpoint]?.get() ?: 0

    /** Calls received for every endpoint starting with [prefix], e.g. `"GET /products/"`. */
    fun callsStartingWith(prefix: String): Int =
        calls.entries.filter { it.key.startsWith(prefix) }.sumOf { it.value.get() }

    /** Every call received. */
    fun totalCalls(): Int = calls.values.sumOf { it.get() }

    /** Stops listening at once and ends its threads. */
    override fun close() {
        server.stop(0)
        executor.shutdownNow()
    }

    private fun handle(exchange: HttpExchange) {
        exchange.use {
            if (exchange.requestURI.path == "/ping") {
                exchange.sendResponseHeaders(200, 2)
                exchange.responseBody.write("{}".encodeToByteArray())
                return
            }
            val endpoint = "${exchange.requestMethod} ${exchange.requestURI.path}"
            val call = calls.computeIfAbsent(endpoint) { AtomicInteger() }.incrementAndGet()
            val requestBody = exchange.requestBody.readAllBytes().decodeToString()
            Thread.sleep(ThreadLocalRandom.current().nextLong(minLatencyMillis, maxLatencyMillis + 1))
            val (status, body) = try {
                answer(exchange.requestMethod, exchange.requestURI.path.trim('/').split('/'), call, requestBody)
            } catch (e: IllegalArgumentException) {
                400 to error(e.message ?: "bad request")
            }
            val bytes = body.toString().encodeToByteArray()
            exchange.responseHeaders.add("Content-Type", "application/json")
            exchange.sendResponseHeaders(status, bytes.size.toLong())
            exchange.responseBody.write(bytes)
        }
    }

    /** The status and JSON body for a request; [call] counts the calls of this endpoint, this one included. */
    private fun answer(method: String, path: List<String>, call: Int, body: String): Pair<Int, JsonObject> {
        if (path.size != 2) return 404 to error("no such endpoint")
        val (resource, id) = path
        return when ("$method $resource") {
            "GET users" -> {
                val userId = id.toInt()
                200 to user(userId, userNames[userId] ?: "user-$userId")
            }
            "PUT users" -> {
                val name = Json.parseToJsonElement(body).jsonObject["name"]?.jsonPrimitive?.content
                    ?: throw IllegalArgumentException("a name is required")
                if (name in TAKEN_NAMES) return 409 to error("the name $name is already taken")
                userNames[id.toInt()] = name
                200 to user(id.toInt(), name)
            }
            "GET stock" -> 200 to buildJsonObject {
                put("sku", id)
                put("available", maxOf(0, 13 - call))
            }
            "GET orders" -> 200 to buildJsonObject {
                put("id", id.toInt())
                put("status", ORDER_STATUSES[minOf(call, ORDER_STATUSES.size) - 1])
            }
            "GET products" -> PRODUCTS[id.toInt()]?.let { (name, price) ->
                200 to buildJsonObject {
                    put("id", id.toInt())
                    put("name", name)
                    put("priceCents", price)
                }
            } ?: (404 to error("no product $id"))
            "GET catalog" -> CATALOG.getOrNull(id.toInt() - 1)?.let { names ->
                200 to buildJsonObject {
                    put("page", id.toInt())
                    put("names", names)
                    put("next", if (id.toInt() < CATALOG.size) id.toInt() + 1 else null)
                }
            } ?: (404 to error("no catalog page $id"))
            "GET countries" -> COUNTRIES[id]?.let { (name, currency) ->
                200 to buildJsonObject {
                    put("code", id)
                    put("name", name)
                    put("currency", currency)
                }
            } ?: (404 to error("no country $id"))
            else -> 404 to error("no such endpoint")
        }
    }

    private fun user(id: Int, name: String) = buildJsonObject {
        put("id", id)
        put("name", name)
    }

    private fun error(message: String) = buildJsonObject { put("error", message) }

    companion object {
        private val TAKEN_NAMES = setOf("Grace Hopper", "Linus Torvalds")
        private val ORDER_STATUSES = listOf("PLACED", "PACKED", "SHIPPED", "DELIVERED")
        private val PRODUCTS = mapOf(
            1 to ("Keyboard" to 4900),
            2 to ("Mouse" to 2500),
            3 to ("Monitor" to 18900),
            4 to ("Webcam" to 6900),
            5 to ("Headset" to 8900),
        )
        private val CATALOG = PRODUCTS.values.map { it.first }.chunked(2).map { it.joinToString(", ") }
        private val COUNTRIES = mapOf(
            "FR" to ("France" to "EUR"),
            "DE" to ("Germany" to "EUR"),
            "JP" to ("Japan" to "JPY"),
            "BR" to ("Brazil" to "BRL"),
            "CA" to ("Canada" to "CAD"),
        )

        /**
         * Starts a server on 127.0.0.1 and a free port, each call taking between [minLatencyMillis]
         * and [maxLatencyMillis] (default 50–150 ms).
         */
        @JvmStatic
        @JvmOverloads
        fun start(minLatencyMillis: Long = 50, maxLatencyMillis: Long = 150): DemoServer {
            require(minLatencyMillis in 0..maxLatencyMillis) {
                "latency must be 0 <= min <= max, was $minLatencyMillis..$maxLatencyMillis"
            }
            val threads = AtomicInteger()
            val executor = Executors.newCachedThreadPool { task ->
                Thread(task, "demo-api-${threads.incrementAndGet()}").apply { isDaemon = true }
            }
            val http = HttpServer.create(InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0)
            val server = DemoServer(http, executor, minLatencyMillis, maxLatencyMillis)
            http.createContext("/") { exchange -> server.handle(exchange) }
            http.executor = executor
            http.start()
            return server
        }
    }
}
