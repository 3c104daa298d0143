package dev.stackquery.devtools

import dev.stackquery.queryKey
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import java.net.InetAddress

class DevtoolsSecuritySpec : FunSpec({
    test("every request without the token is refused with 401, with a wrong token with 403") {
        withClient { client ->
            withDevtools(client) { devtools ->
                for (path in listOf("/", "/devtools.js", "/api/queries", "/api/stats", "/api/events", "/nothing")) {
                    val missing = devtools.call(path, withToken = false)
                    missing.status shouldBe 401
                    missing.body shouldContain "access token is required"
                    devtools.call(path, token = "x" + devtools.token.drop(1)).status shouldBe 403
                }
                devtools.call("/api/remove?key=" + enc("[]"), method = "POST", withToken = false).status shouldBe 401
            }
        }
    }

    test("the token is accepted as the token query parameter as well as the header") {
        withClient { client ->
            withDevtools(client) { devtools ->
                devtools.call("/api/queries?token=" + devtools.token, withToken = false).status shouldBe 200
                devtools.call("/api/queries?token=wrong", withToken = false).status shouldBe 403
            }
        }
    }

    test("each start has its own random 43-char token, and the page is not cached nor sent as a referrer") {
        withClient { client ->
            val first = withDevtools(client) { it.token }
            withDevtools(client) { devtools ->
                devtools.token shouldNotBe first
                devtools.token.length shouldBe 43
                devtools.token.all { it.isLetterOrDigit() || it == '-' || it == '_' } shouldBe true
                val response = http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(devtools.url)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString(),
                )
                response.headers().firstValue("Cache-Control").get() shouldBe "no-store"
                response.headers().firstValue("Referrer-Policy").get() shouldBe "no-referrer"
                response.headers().firstValue("Content-Security-Policy").get() shouldContain "default-src 'none'"
            }
        }
    }

    test("the server binds to loopback by default") {
        withClient { client ->
            withDevtools(client) { devtools ->
                devtools.options.host shouldBe "127.0.0.1"
                InetAddress.getByName(devtools.options.host).isLoopbackAddress shouldBe true
                devtools.port shouldNotBe 0
            }
        }
    }

    test("read-only mode refuses every action with 403 and leaves the cache as it is") {
        withClient { client ->
            client.setQueryData(queryKey("user", 1), "ada")
            withDevtools(client, StackQueryDevtoolsOptions.builder().readOnly(true).build()) { devtools ->
                for (action in listOf("invalidate", "refetch", "reset", "remove")) {
                    val reply = devtools.call("/api/$action?key=" + enc("[\"user\"]"), method = "POST")
                    reply.status shouldBe 403
                    reply.body shouldContain "read-only"
                }
                devtools.get("/api/info").prim("readOnly") shouldBe "true"
                client.getQueryState<String>(queryKey("user", 1))!!.isInvalidated shouldBe false
                client.getQueryData<String>(queryKey("user", 1)) shouldBe "ada"
            }
        }
    }

    test("after close the server no longer answers, and closing again does nothing") {
        withClient { client ->
            val devtools = StackQueryDevtools.start(client)
            devtools.call("/api/info").status shouldBe 200
            devtools.close()
            devtools.isClosed shouldBe true
            devtools.close()
            runCatching { devtools.call("/api/info") }.isFailure shouldBe true
        }
    }
})
