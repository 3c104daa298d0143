package dev.stackquery.devtools

import dev.stackquery.QueryClient
import kotlinx.coroutines.delay
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.charset.StandardCharsets
import java.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/** One HTTP client for every test (the JDK's). */
val http: HttpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()

/** A response's status and body. */
class Reply(val status: Int, val body: String) {
    val json: JsonObject get() = Json.parseToJsonElement(body).jsonObject

    override fun toString(): String = "$status $body"
}

/** The base address of [devtools], without the token. */
val StackQueryDevtools.base: String get() = "http://127.0.0.1:$port"

/** [text] URL-encoded, for a query parameter. */
fun enc(text: String): String = URLEncoder.encode(text, StandardCharsets.UTF_8)

/** Sends [method] [path] (which may hold a query string), with the token unless [withToken] is false or [token] replaces it. */
fun StackQueryDevtools.call(
    path: String,
    method: String = "GET",
    withToken: Boolean = true,
    token: String = this.token,
): Reply {
    val builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
    if (withToken) builder.header("X-StackQuery-Token", token)
    builder.method(method, HttpRequest.BodyPublishers.noBody())
    val response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString())
    return Reply(response.statusCode(), response.body())
}

fun StackQueryDevtools.get(path: String): JsonObject {
    val reply = call(path)
    check(reply.status == 200) { "GET $path: $reply" }
    return reply.json
}

/** The rows of `GET /api/queries`, optionally under [prefix] (a key's text). */
fun StackQueryDevtools.queries(prefix: String? = null): List<JsonObject> = get(
    "/api/queries" + (
        prefix?.let {
            "?prefix=" + enc(it)
        } ?: ""
        ),
).getValue("queries").jsonArray.map { it.jsonObject }

/** The row of [key] (its text) in `GET /api/queries`, or null. */
fun StackQueryDevtools.row(key: String): JsonObject? = queries().firstOrNull { it.str("key") == key }

fun JsonObject.str(name: String): String? = (get(name) as? kotlinx.serialization.json.JsonPrimitive)?.takeIf {
    it.isString
}?.content

fun JsonObject.prim(name: String): String = getValue(name).jsonPrimitive.content

fun JsonElement.arr(): JsonArray = jsonArray

/** Starts devtools on [client] with [options] for [block], then closes it. */
inline fun <T> withDevtools(
    client: QueryClient,
    options: StackQueryDevtoolsOptions = StackQueryDevtoolsOptions.DEFAULT,
    block: (StackQueryDevtools) -> T,
): T = StackQueryDevtools.start(client, options).use(block)

/** A client on the real clock and `Dispatchers.Default`, for [block], closed afterwards. */
inline fun <T> withClient(block: (QueryClient) -> T): T = QueryClient().use(block)

/**
 * Polls [condition] every 20 ms until it is true, for at most [within]; fails with [message]
 * otherwise. For waiting on the server's threads and the client's dispatcher (real time).
 */
suspend fun awaitUntil(message: String, within: kotlin.time.Duration = 10.seconds, condition: () -> Boolean) {
    val start = TimeSource.Monotonic.markNow()
    while (!condition()) {
        if (start.elapsedNow() > within) throw AssertionError("not true within $within: $message")
        delay(20)
    }
}
