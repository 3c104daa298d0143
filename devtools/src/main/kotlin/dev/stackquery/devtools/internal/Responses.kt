package dev.stackquery.devtools.internal

import com.sun.net.httpserver.HttpExchange
import kotlinx.serialization.json.JsonElement

/** Writing the server's responses, with the headers every one of them carries. */
internal object Responses {
    /** The page's content security policy: its own script, style and requests only. */
    private const val CONTENT_SECURITY_POLICY =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /** Never cached, never sniffed, never framed, and never sending the token's URL as a referrer. */
    fun addCommonHeaders(exchange: HttpExchange) {
        val headers = exchange.responseHeaders
        headers.set("Cache-Control", "no-store")
        headers.set("X-Content-Type-Options", "nosniff")
        headers.set("Referrer-Policy", "no-referrer")
        headers.set("X-Frame-Options", "DENY")
        headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    }

    fun json(exchange: HttpExchange, status: Int, body: JsonElement) {
        bytes(exchange, status, "application/json; charset=utf-8", body.toString().toByteArray())
    }

    fun bytes(exchange: HttpExchange, status: Int, contentType: String, body: ByteArray) {
        exchange.responseHeaders.set("Content-Type", contentType)
        addCommonHeaders(exchange)
        if (exchange.requestMethod == "HEAD") {
            exchange.sendResponseHeaders(status, -1)
        } else {
            exchange.sendResponseHeaders(status, if (body.isEmpty()) -1 else body.size.toLong())
            if (body.isNotEmpty()) exchange.responseBody.use { it.write(body) }
        }
        exchange.close()
    }
}
