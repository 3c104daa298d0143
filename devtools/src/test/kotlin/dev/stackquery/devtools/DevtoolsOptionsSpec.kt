package dev.stackquery.devtools

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.time.Duration

class DevtoolsOptionsSpec : FunSpec({
    test("the defaults are the safe ones") {
        val options = StackQueryDevtoolsOptions.DEFAULT
        options.host shouldBe "127.0.0.1"
        options.port shouldBe 0
        options.readOnly shouldBe false
        options.showDataWithoutCodec shouldBe false
        options.historySize shouldBe 20
        options.notifyInterval shouldBe Duration.ofMillis(100)
    }

    test("the builder sets every field, and toBuilder starts from the options") {
        val options = StackQueryDevtoolsOptions.builder().host("0.0.0.0").port(7070).readOnly(true)
            .showDataWithoutCodec(true).historySize(5).notifyInterval(Duration.ZERO).build()
        options shouldBe StackQueryDevtoolsOptions("0.0.0.0", 7070, true, true, 5, Duration.ZERO)
        options.toBuilder().port(7071).build().port shouldBe 7071
        options.hashCode() shouldBe StackQueryDevtoolsOptions("0.0.0.0", 7070, true, true, 5, Duration.ZERO).hashCode()
        options.toString() shouldContain "port=7070"
    }

    test("bad values are refused, naming the field") {
        shouldThrow<IllegalArgumentException> { StackQueryDevtoolsOptions(port = 70000) }.message shouldContain
            "port must be"
        shouldThrow<IllegalArgumentException> { StackQueryDevtoolsOptions.builder().port(-1) }.message shouldContain
            "port"
        shouldThrow<IllegalArgumentException> { StackQueryDevtoolsOptions(host = " ") }.message shouldContain "host"
        shouldThrow<IllegalArgumentException> {
            StackQueryDevtoolsOptions.builder().historySize(0)
        }.message shouldContain
            "historySize must be in 1..1000, was 0"
        shouldThrow<IllegalArgumentException> {
            StackQueryDevtoolsOptions.builder().notifyInterval(Duration.ofSeconds(11))
        }.message shouldContain "notifyInterval"
        shouldThrow<IllegalArgumentException> {
            StackQueryDevtoolsOptions(notifyInterval = Duration.ofMillis(-1))
        }.message shouldContain "notifyInterval"
    }

    test("a port already taken fails start with an IOException") {
        withClient { client ->
            withDevtools(client) { devtools ->
                shouldThrow<java.io.IOException> {
                    StackQueryDevtools.start(client, StackQueryDevtoolsOptions(port = devtools.port))
                }
            }
        }
    }
})
