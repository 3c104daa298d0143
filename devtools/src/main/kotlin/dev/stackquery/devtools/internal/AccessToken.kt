package dev.stackquery.devtools.internal

import com.sun.net.httpserver.HttpExchange
import java.net.URLDecoder
import java.nio.charset.StandardCharsets
import java.security.MessageDigest
import java.security.SecureRandom
import java.util.Base64

/** The random token every request must carry, as the `token` query parameter or the [HEADER] header. */
internal class AccessToken(val value: String = generate()) {
    private val bytes = value.toByteArray(StandardCharsets.UTF_8)

    /** What the request carries: [Verdict.MISSING], [Verdict.WRONG] or [Verdict.OK] (compared in constant time). */
    fun check(exchange: HttpExchange): Verdict {
        val given = exchange.requestHeaders.getFirst(HEADER) ?: queryParameters(exchange)["token"]
        return when {
            given.isNullOrEmpty() -> Verdict.MISSING
            MessageDigest.isEqual(bytes, given.toByteArray(StandardCharsets.UTF_8)) -> Verdict.OK
            else -> Verdict.WRONG
        }
    }

    enum class Verdict { OK, MISSING, WRONG }

    companion object {
        const val HEADER = "X-StackQuery-Token"

        private val random = SecureRandom()

        /** 32 random bytes, base64url without padding (43 chars, safe in a URL and in HTML). */
        fun generate(): String {
            val bytes = ByteArray(32)
            random.nextBytes(bytes)
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)
        }
    }
}

/** The request's query parameters, decoded (the first value of each name). */
internal fun queryParameters(exchange: HttpExchange): Map<String, String> {
    val raw = exchange.requestURI.rawQuery ?: return emptyMap()
    val result = LinkedHashMap<String, String>()
    for (pair in raw.split('&')) {
        if (pair.isEmpty()) continue
        val eq = pair.indexOf('=')
        val name = decode(if (eq < 0) pair else pair.substring(0, eq))
        val value = if (eq < 0) "" else decode(pair.substring(eq + 1))
        result.putIfAbsent(name, value)
    }
    return result
}

private fun decode(text: String): String = try {
    URLDecoder.decode(text, StandardCharsets.UTF_8)
} catch (e: IllegalArgumentException) {
    text
}
