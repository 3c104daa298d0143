package dev.stackquery.devtools.internal

import com.sun.net.httpserver.HttpExchange

/**
 * The page's files, served from the classpath (`dev/stackquery/devtools/`): the HTML with the
 * access token written into the addresses of its script and style (the browser sends no header
 * for those), the script and the style as they are.
 */
internal object Assets {
    private const val BASE = "/dev/stackquery/devtools/"
    private const val TOKEN_MARK = "{{TOKEN}}"

    val PATHS: Set<String> = setOf("/", "/index.html", "/devtools.js", "/devtools.css")

    private val html: String by lazy { read("index.html").toString(Charsets.UTF_8) }
    private val script: ByteArray by lazy { read("devtools.js") }
    private val style: ByteArray by lazy { read("devtools.css") }

    fun serve(exchange: HttpExchange, path: String, token: String) {
        when (path) {
            "/devtools.js" -> Responses.bytes(exchange, 200, "text/javascript; charset=utf-8", script)
            "/devtools.css" -> Responses.bytes(exchange, 200, "text/css; charset=utf-8", style)
            // The token is base64url: nothing in it needs escaping in HTML.
            else -> Responses.bytes(
                exchange,
                200,
                "text/html; charset=utf-8",
                html.replace(TOKEN_MARK, token).toByteArray(),
            )
        }
    }

    private fun read(name: String): ByteArray =
        checkNotNull(Assets::class.java.getResourceAsStream(BASE + name)) { "missing resource $BASE$name" }
            .use { it.readBytes() }
}
