package dev.stackquery.desktop

import com.sun.net.httpserver.HttpServer
import dev.stackquery.desktop.internal.NetworkInterfaces
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.time.Duration

private val TIMEOUT: Duration = Duration.ofSeconds(2)

/** A port on the loopback that nothing listens on (bound, then closed). */
private fun closedPort(): Int = ServerSocket(0, 1, InetAddress.getLoopbackAddress()).use { it.localPort }

/** The real probes against servers on the loopback only, and the interface filter's address rule. */
class ReachabilityProbeSpec : FunSpec({
    test("tcp is reachable while something listens on the port and unreachable once it is closed") {
        ServerSocket(0, 1, InetAddress.getLoopbackAddress()).use { server ->
            ReachabilityProbe.tcp("127.0.0.1", server.localPort).isReachable(TIMEOUT) shouldBe true
        }
        ReachabilityProbe.tcp("127.0.0.1", closedPort()).isReachable(TIMEOUT) shouldBe false
    }

    test("http is reachable on any HTTP response, error statuses included, and not when nothing answers") {
        val server = HttpServer.create(InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0)
        val methods = mutableListOf<String>()
        server.createContext("/ok") { exchange ->
            methods += exchange.requestMethod; exchange.sendResponseHeaders(204, -1); exchange.close()
        }
        server.createContext("/down") { exchange -> exchange.sendResponseHeaders(503, -1); exchange.close() }
        server.start()
        try {
            val base = "http://127.0.0.1:${server.address.port}"
            ReachabilityProbe.http("$base/ok").isReachable(TIMEOUT) shouldBe true
            ReachabilityProbe.http("$base/down").isReachable(TIMEOUT) shouldBe true
            methods shouldBe listOf("HEAD")
        } finally {
            server.stop(0)
        }
        ReachabilityProbe.http("http://127.0.0.1:${closedPort()}/").isReachable(TIMEOUT) shouldBe false
    }

    test("the probes reject what they could never reach") {
        shouldThrow<IllegalArgumentException> { ReachabilityProbe.tcp("host", 0) }
            .message shouldBe "probe port must be in 1..65535, was 0"
        shouldThrow<IllegalArgumentException> { ReachabilityProbe.tcp(" ", 80) }.message shouldBe "probe host is blank"
        shouldThrow<IllegalArgumentException> { ReachabilityProbe.http("ftp://example.com/") }
            .message shouldBe "probe URL must be an absolute http or https URL, was ftp://example.com/"
        ReachabilityProbe.tcp("example.com", 443).toString() shouldBe "ReachabilityProbe.tcp(example.com:443)"
    }

    test("only an address beyond the machine and its link makes an interface usable") {
        fun routable(literal: String) = NetworkInterfaces.isRoutable(InetAddress.getByName(literal))
        routable("127.0.0.1") shouldBe false
        routable("::1") shouldBe false
        routable("169.254.10.1") shouldBe false
        routable("fe80::1") shouldBe false
        routable("192.0.2.10") shouldBe true
        routable("2001:db8::1") shouldBe true
    }
})
