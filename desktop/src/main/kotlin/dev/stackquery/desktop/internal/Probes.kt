package dev.stackquery.desktop.internal

import dev.stackquery.desktop.ReachabilityProbe
import java.io.IOException
import java.net.HttpURLConnection
import java.net.InetSocketAddress
import java.net.Socket
import java.net.URI
import java.time.Duration

/** [ReachabilityProbe.tcp]: a TCP connect to [host]:[port], closed at once. */
internal class TcpConnectProbe(private val host: String, private val port: Int) : ReachabilityProbe {
    init {
        require(host.isNotBlank()) { "probe host is blank" }
        require(port in 1..MAX_PORT) { "probe port must be in 1..$MAX_PORT, was $port" }
    }

    override fun isReachable(timeout: Duration): Boolean = try {
        Socket().use { it.connect(InetSocketAddress(host, port), timeoutMillis(timeout)) }
        true
    } catch (_: IOException) {
        false
    }

    override fun toString(): String = "ReachabilityProbe.tcp($host:$port)"

    private companion object {
        const val MAX_PORT = 65535
    }
}

/** [ReachabilityProbe.http]: a `HEAD` request to [url] (through the JVM's proxy settings); any HTTP response counts. */
internal class HttpHeadProbe(private val url: URI) : ReachabilityProbe {
    init {
        require(url.isAbsolute && url.scheme in setOf("http", "https") && !url.host.isNullOrEmpty()) {
            "probe URL must be an absolute http or https URL, was $url"
        }
    }

    override fun isReachable(timeout: Duration): Boolean {
        val connection = url.toURL().openConnection() as HttpURLConnection
        return try {
            connection.requestMethod = "HEAD"
            connection.instanceFollowRedirects = false
            connection.useCaches = false
            connection.connectTimeout = timeoutMillis(timeout)
            connection.readTimeout = timeoutMillis(timeout)
            connection.responseCode > 0
        } catch (_: IOException) {
            false
        } finally {
            connection.disconnect()
        }
    }

    override fun toString(): String = "ReachabilityProbe.http($url)"
}

/** [timeout] in whole milliseconds for the socket APIs, at least 1 (0 would mean "no timeout"). */
private fun timeoutMillis(timeout: Duration): Int = timeout.toMillis().coerceIn(1, Int.MAX_VALUE.toLong()).toInt()
