package dev.stackquery.benchmarks

import dev.stackquery.queryKey
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe

/** The fan-out harness with 200 collectors. */
class FanOutSpec : FunSpec({
    test("StackQuery: publish returns once every observer's collector saw the value written") {
        hitClient(10).use { client ->
            FanOut(200, timeoutSeconds = 20).use { fanOut ->
                fanOut.startStackQuery(client, queryKey("fan-out"))
                for (value in 1L..5L) fanOut.publish(value)
                client.getQueryData<Long>(queryKey("fan-out")) shouldBe 5L
            }
        }
    }

    test("StateFlow: publish returns once every collector saw the value written") {
        FanOut(200, timeoutSeconds = 20).use { fanOut ->
            fanOut.startStateFlow()
            for (value in 1L..5L) fanOut.publish(value)
        }
    }

    test("publish of the value already there never completes, and fails after the timeout") {
        FanOut(10, timeoutSeconds = 1).use { fanOut ->
            fanOut.startStateFlow()
            fanOut.publish(1)
            val error = shouldThrow<IllegalStateException> { fanOut.publish(1) } // StateFlow does not re-emit it
            error.message shouldBe "10 of 10 collectors had not seen 1 after 1 s"
        }
    }
})
