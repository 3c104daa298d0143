package dev.stackquery.storage.exposed.internal

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlin.random.Random

class PrefixesSpec : FunSpec({
    /** Compares by Unicode code point, as UTF-8 bytewise and binary collations do. */
    fun compareCodePoints(a: String, b: String): Int {
        val x = a.codePoints().toArray()
        val y = b.codePoints().toArray()
        for (i in 0 until minOf(x.size, y.size)) if (x[i] != y[i]) return x[i].compareTo(y[i])
        return x.size.compareTo(y.size)
    }

    test("the upper bound of a prefix increments its last code point") {
        prefixUpperBound("abc") shouldBe "abd"
        prefixUpperBound("p:") shouldBe "p;"
        prefixUpperBound("a\u00ff") shouldBe "a\u0100"
        prefixUpperBound("k🔑") shouldBe "k" + String(Character.toChars(0x1F512))
    }

    test("the upper bound skips the surrogate range and carries past U+10FFFF") {
        prefixUpperBound("a\uD7FF") shouldBe "a\uE000"
        prefixUpperBound("a\uFFFF") shouldBe "a" + String(Character.toChars(0x10000))
        val max = String(Character.toChars(Character.MAX_CODE_POINT))
        prefixUpperBound("a$max") shouldBe "b"
        prefixUpperBound("a$max$max") shouldBe "b"
    }

    test("an empty prefix, or one of only U+10FFFF, has no upper bound") {
        prefixUpperBound("") shouldBe null
        prefixUpperBound(String(Character.toChars(Character.MAX_CODE_POINT)).repeat(2)) shouldBe null
    }

    test("a string is in [prefix, bound) exactly when it starts with the prefix") {
        val alphabet = listOf(
            "a", "b", "A", "%", "_", "\\", " ", "\u0000", "\uD7FF", "\uE000", "\uFFFF", "é", "🔑",
            String(Character.toChars(Character.MAX_CODE_POINT)),
        )
        val random = Random(42)
        fun randomString(maxLength: Int) =
            buildString { repeat(random.nextInt(maxLength + 1)) { append(alphabet.random(random)) } }
        repeat(2_000) {
            val prefix = randomString(3)
            val bound = prefixUpperBound(prefix)
            repeat(20) {
                val candidate = if (random.nextBoolean()) prefix + randomString(3) else randomString(5)
                val inRange =
                    compareCodePoints(candidate, prefix) >= 0 &&
                        (bound == null || compareCodePoints(candidate, bound) < 0)
                withClue(prefix, candidate) { inRange shouldBe candidate.startsWith(prefix) }
            }
        }
    }

    test("the LIKE pattern escapes %, _ and the escape character, then appends %") {
        likePrefixPattern("") shouldBe "%"
        likePrefixPattern("p:") shouldBe "p:%"
        likePrefixPattern("x%_*?[]\\'\" ") shouldBe "x\\%\\_*?[]\\\\'\" %"
    }
})

private fun String.codePointList(): List<Int> = codePoints().toArray().toList()

private inline fun withClue(prefix: String, candidate: String, block: () -> Unit) =
    io.kotest.assertions.withClue("prefix=${prefix.codePointList()} candidate=${candidate.codePointList()}", block)
