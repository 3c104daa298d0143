@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.internal.common

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.io.IOException

class CauseChainSpec : FunSpec({
    test("causeChain yields the throwable, then each cause, outermost first") {
        val root = IOException("root")
        val middle = IllegalStateException("middle", root)
        val top = RuntimeException("top", middle)
        top.causeChain().toList() shouldBe listOf(top, middle, root)
        root.causeChain().toList() shouldBe listOf(root)
    }

    test("causeChain ends where a looping chain would repeat") {
        val a = RuntimeException("a")
        val b = RuntimeException("b", a)
        a.initCause(b) // a -> b -> a
        a.causeChain().toList() shouldBe listOf(a, b)
    }

    test("causeChain stops after maxDepth throwables") {
        var error: Throwable = RuntimeException("0")
        repeat(100) { error = RuntimeException("${it + 1}", error) }
        error.causeChain().count() shouldBe MAX_CAUSE_DEPTH
        error.causeChain(maxDepth = 3).map { it.message }.toList() shouldBe listOf("100", "99", "98")
        shouldThrow<IllegalArgumentException> { error.causeChain(0) }
    }

    test("causeChain finds a wrapped cause by type") {
        val error = RuntimeException(IllegalStateException(IOException("refused")))
        error.causeChain().any { it is IOException } shouldBe true
        error.causeChain().any { it is ArithmeticException } shouldBe false
    }
})
