package dev.stackquery.sample.shop

import kotlinx.coroutines.future.await
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.put
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration

@Serializable data class User(val id: Int, val name: String)

@Serializable data class Stock(val sku: String, val available: Int)

@Serializable data class Order(val id: Int, val status: String)

@Serializable data class Product(val id: Int, val name: String, val priceCents: Int)

@Serializable data class CatalogPage(val page: Int, val names: String, val next: Int?)

@Serializable data class Country(val code: String, val name: String, val currency: String)

/** An HTTP answer other than 2xx: its [status] and the server's error message. */
class ApiException(val status: Int, message: String) : Exception(message)

/**
 * The Kotlin sample's client of the shop API ([dev.stackquery.sample.DemoServer]): real HTTP through the JDK's
 * asynchronous [HttpClient], suspending (never blocking) while a call is in flight, JSON through
 * kotlinx.serialization. A cancelled call cancels its HTTP exchange.
 */
class ShopApi(private val baseUri: URI) {
    private val http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build()

    /** An uncounted call that loads the HTTP client's classes and opens a connection. */
    suspend fun ping() {
        send(request("ping").GET())
    }

    suspend fun user(id: Int): User = get("users/$id")

    suspend fun renameUser(id: Int, name: String): User {
        val body = buildJsonObject { put("name", name) }.toString()
        return Json.decodeFromString(send(request("users/$id").PUT(HttpRequest.BodyPublishers.ofString(body))))
    }

    suspend fun stock(sku: String): Stock = get("stock/$sku")

    suspend fun order(id: Int): Order = get("orders/$id")

    suspend fun product(id: Int): Product = get("products/$id")

    suspend fun catalog(page: Int): CatalogPage = get("catalog/$page")

    suspend fun country(code: String): Country = get("countries/$code")

    private suspend inline fun <reified T> get(path: String): T = Json.decodeFromString(send(request(path).GET()))

    private fun request(path: String): HttpRequest.Builder = HttpRequest.newBuilder(
        baseUri.resolve(path),
    ).timeout(Duration.ofSeconds(5)).header("Accept", "application/json")

    private suspend fun send(request: HttpRequest.Builder): String {
        val response = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).await()
        if (response.statusCode() !in 200..299) {
            val message =
                runCatching { Json.parseToJsonElement(response.body()).jsonObject["error"]?.jsonPrimitive?.content }
                    .getOrNull() ?: response.body()
            throw ApiException(response.statusCode(), message)
        }
        return response.body()
    }
}
