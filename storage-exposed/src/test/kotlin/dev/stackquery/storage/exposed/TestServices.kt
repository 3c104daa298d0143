package dev.stackquery.storage.exposed

import io.kotest.core.test.Enabled
import java.net.InetSocketAddress
import java.net.Socket

/**
 * The database servers some tests need. A test needing one that is not reachable is skipped with
 * a message naming the server and the command that starts it, unless the environment variable
 * `STACKQUERY_REQUIRE_SERVICES=true` is set (CI sets it): then it fails.
 */
object TestServices {
    private val required: Boolean = System.getenv("STACKQUERY_REQUIRE_SERVICES") == "true"

    val postgres: Service = Service("PostgreSQL", "127.0.0.1", 5432)
    val mariadb: Service = Service("MariaDB", "127.0.0.1", 3306)

    class Service(val name: String, val host: String, val port: Int) {
        /** Whether the server accepts TCP connections; checked once per JVM. */
        val reachable: Boolean by lazy {
            try {
                Socket().use { it.connect(InetSocketAddress(host, port), 2_000) }
                true
            } catch (e: java.io.IOException) {
                false
            }
        }

        private val missing: String
            get() = "$name is not reachable at $host:$port; start it with `bash .ci/start-services`"

        /**
         * For a spec's or a test's `enabledOrReasonIf`: enabled when the server is reachable or
         * required (a required server that is down then fails in [check]), disabled otherwise.
         */
        fun enabled(): Enabled = when {
            reachable || required -> Enabled.enabled
            else -> Enabled.disabled("$missing (tests that need it are skipped)").also { warnOnce() }
        }

        /** Fails with a clear message when the server is required but down. Call before connecting. */
        fun check() {
            if (!reachable) throw AssertionError("$missing (STACKQUERY_REQUIRE_SERVICES=true: it is required)")
        }

        @Volatile private var warned = false

        private fun warnOnce() {
            if (!warned) {
                warned = true
                System.err.println("SKIPPED: $missing")
            }
        }
    }
}
